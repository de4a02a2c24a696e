package bounce

// googleMSRecognizers are the recognisers of this family, in the order tried.
var googleMSRecognizers = []recognizer{
	{"googlegroups", scanGoogleGroups},
	{"gmail", scanGmail},
	{"googleworkspace", scanGoogleWorkspace},
	{"googledsn", scanGoogleDSN},
	{"yahoo", scanYahoo},
	{"exchange2003", scanExchange2003},
	{"exchange2007", scanExchange2007},
	{"microsoftdsn", scanMicrosoftDSN},
}
