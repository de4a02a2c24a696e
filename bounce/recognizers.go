package bounce

// recognizers is the ordered list of format recognisers. Specific formats
// come first (they read more than the generic DSN does), the RFC 3464 DSN
// reader after them, automatic replies last. The list is never modified.
var recognizers = concat(
	[]recognizer{{"arf", scanARF}},
	japanRecognizers,
	googleMSRecognizers,
	providerRecognizers,
	mta1Recognizers,
	mta2Recognizers,
	[]recognizer{
		{"rfc3464", scanGenericDSN},
		{"rfc3834", scanRFC3834},
		{"fallback", scanFallback},
	},
)

func concat(lists ...[]recognizer) []recognizer {
	var out []recognizer
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
