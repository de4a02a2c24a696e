package detect

import (
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
)

// Attribution judges one stored message's facts (res, decoded from its
// raw form or read back from its stored facts) as the latest pass judged
// its bounces: against the send log the detector knows now. It returns
// nil before the first pass. It waits for a running pass to end.
func (d *Detector) Attribution(res *bounce.Result) *attrib.Attribution {
	if res == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.an == nil {
		return nil
	}
	a := d.an.Attribute(res)
	return &a
}
