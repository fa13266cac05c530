{
  "FlowMetadata": {
    "IpFixCollectors": ["Udp/127.0.0.1:4739"],
    "Direction": "Both",
    "Interval": 60000,
    "Enabled": true,
    "Interfaces": ["tap0"],
    "IdleTimeout": 15000
  },
  "AccessControl": {
    "Default": "Allow",
    "Rules": [
      { "Action": "Deny", "Direction": "ReceivedFromPeer", "Protocol": "Tcp",
        "Ports": "23", "Description": "no telnet from peers" }
    ]
  }
}
