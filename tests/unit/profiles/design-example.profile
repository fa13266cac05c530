{
  "FlowMetadata": {
    "IpFixCollectors": ["Udp/172.16.1.100:4739", "Udp/[2001:db8::10]:4739"],
    "Direction": "Both",
    "Interval": 60000,
    "Enabled": true,

    "Interfaces": ["tap0"],
    "IdleTimeout": 15000,
    "ObservationDomainId": 0,
    "TemplateRefresh": 600,
    "MessageSize": 1400,
    "MaxFlows": 1048576
  },
  "AccessControl": {
    "Default": "Allow",
    "Rules": [
      { "Action": "Allow", "Direction": "ReceivedFromPeer", "Peer": "100.64.0.0/10",
        "Protocol": "Tcp", "Ports": "22,443,8000-8100", "Description": "ssh and web" },
      { "Action": "Deny",  "Direction": "Both", "Protocol": "Icmp" }
    ]
  }
}
