package attrib

import "time"

// SentAt returns the time the send log gives (to the minute) for the
// message with a queue ID or, failing that, a Message-ID: what the time
// zone of the log is inferred from (diagnose), comparing it with the
// Received field our server wrote into the returned message.
func (ix *Index) SentAt(queueID, messageID string) (time.Time, bool) {
	if ix == nil {
		return time.Time{}, false
	}
	e, _, ok := ix.lookupQueueID(queueID)
	if !ok {
		e, _, ok = ix.lookupMsgID(messageID)
	}
	if !ok || e.stamp == 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(e.stamp)*60, 0), true
}
