{
  "ProfileName": "Universe",
  "EnrolmentKey": null,
  "LocalPort": 0,
  "KernelMode": false,
  "Tap": {
    "Name": "tap0",
    "Mtu": 1280
  },
  "Dns": {
    "Enabled": true,
    "Servers": ["100.64.0.1"]
  },
  "Telemetry": false,
  "FlowMetadata":{
    "IpFixCollectors": [
        "Udp/172.16.1.100:4739"
    ],
    "Direction": "Both"
    "Interval": 60000,
    "Enabled": true
  }
}
