package detect

import (
	"time"

	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
)

// AttributionWait is how long Attribution waits for a running pass.
const AttributionWait = 2 * time.Second

// Attribution judges one stored message's facts (res, decoded from its
// raw form or read back from its stored facts) as the latest pass judged
// its bounces: against the send log the detector knows now. It returns
// nil before the first pass, and when a running pass does not end
// within AttributionWait (a page is not held up by a long catch-up).
func (d *Detector) Attribution(res *bounce.Result) *attrib.Attribution {
	if res == nil {
		return nil
	}
	for deadline := time.Now().Add(AttributionWait); !d.mu.TryLock(); {
		if time.Now().After(deadline) {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	defer d.mu.Unlock()
	if d.an == nil {
		return nil
	}
	a := d.an.Attribute(res)
	return &a
}
