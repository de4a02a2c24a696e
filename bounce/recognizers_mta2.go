package bounce

// mta2Recognizers are the recognisers of this family, in the order tried.
// Each rejects a message of another format on its headers first.
var mta2Recognizers = []recognizer{
	{"mxlogic", scanMXLogic},
	{"exim", scanExim},
	{"mfilter", scanMFilter},
	{"imailserver", scanIMail},
	{"fml", scanFML},
	{"activehunter", scanActiveHunter},
	{"trendmicro", scanTrendMicro},
	{"mailfoundry", scanMailFoundry},
	{"messagingserver", scanMessagingServer},
	{"x1", scanX1},
	{"x3", scanX3},
	{"x6", scanX6},
	{"x5", scanX5},
	{"powermta", scanPowerMTA},
	{"amavis", scanAmavis},
	{"qmail", scanQmail},
	{"x2", scanX2},
}
