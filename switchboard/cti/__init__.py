"""Computer-telephony integration: Asterisk wire protocols (AMI, FastAGI), live call model."""
