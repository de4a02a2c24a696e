package bounce

// mta1Recognizers are the recognisers of this family, in the order tried.
var mta1Recognizers = []recognizer{
	{"dragonfly", scanDragonFly},
	{"opensmtpd", scanOpenSMTPD},
	{"v5sendmail", scanV5Sendmail},
	{"sendmail", scanSendmail},
	{"postfix", scanPostfix},
	{"apachejames", scanApacheJames},
}
