package bounce

import "time"

// ParseReceived parses one Received field value (RFC 5321 section 4.4) as
// the returned message's hops are parsed: "from", "by", "with", "id",
// "for", the client's IP address and the date after the last ';'. It
// serves for the bounce's own trace fields (Result.Headers), which tell
// when the bounce reached us.
func ParseReceived(v string) Received { return parseReceived(v) }

// ParseDate reads a date in the forms mail carries (RFC 5322 with or
// without weekday, a zone comment or a named zone, asctime); zero when it
// cannot.
func ParseDate(s string) time.Time { return parseDate(s) }
