"""Computer-telephony integration: the Asterisk wire protocols (AMI, FastAGI) and the live call model."""
