{
  "FlowMetadata": {
    "IpFixCollectors": ["Udp/198.51.100.7", "Udp/collector.invalid:4739"]
  }
}
