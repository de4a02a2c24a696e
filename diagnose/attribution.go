package diagnose

import (
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
)

// Attribute answers "was this message sent by us?" for one decoded
// message, as a report judges its bounces: the returned message's facts
// against the send log known now (finished and open messages) and what
// the bounces together taught at the last Report (nothing before the
// first), with every item's sentence in English and Japanese. It is for
// one message on demand (a dashboard's bounce page); like Report it must
// not run concurrently with AddEvent, AddMail or AddDigest.
func (a *Analyzer) Attribute(res *bounce.Result) attrib.Attribution {
	st := a.logView()
	return st.index.Judge(a.ex.Extract(res), a.pop)
}
