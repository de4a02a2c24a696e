package diagnose

import (
	"fmt"
	"math"
	"time"
)

// The send log's clock (issue 11 §5).
//
// Classic syslog lines ("Nov  2 02:14:07") carry no zone: they are read
// in Config.Location (--tz), and when the scan runs in another zone than
// the server's, every log time is off by the difference, the sent volume
// lands hours away from the bounces, and a hijack looks like a spoof.
// The bounces know better: the message they return carries the Received
// field our server wrote when it took the message ("by mail.example.jp
// (Postfix) with ESMTPSA id 4Xyz…; Mon, 2 Nov 2026 02:14:07 +0900"), with
// its queue ID and an explicit offset, and the log has the same queue ID
// (or Message-ID) at the time as read. For each message found in both,
// the difference log − Received is rounded to a quarter of an hour (the
// granularity of the world's offsets); when at least minZonePairs of them
// agree, and at least 80% of all, that difference is the log's error,
// and it is taken off every log time at report time — the log may come
// before or after the bounces. A difference of 0 confirms the zone. The
// report says which offset the log was read as and from how many
// messages, and warns when that contradicts the zone given.
const (
	minZonePairs = 3
	zoneAgree    = 0.8
	zoneQuantum  = 15 * time.Minute
	// maxZoneCands bounds the returned messages' hops kept for the
	// inference: the ones with the smallest hashes, whatever the order.
	maxZoneCands = 1024
)

// timePair is one message found in both: its time in the log as read,
// and the time our server's Received field gives it.
type timePair struct{ log, trace time.Time }

// zoneVotes counts the pairs by their difference (in zoneQuantum), with
// the earliest log time of each: what the inference needs of them (infer),
// kept also for the bounces folded away (settle.go).
type zoneVotes struct {
	total int
	votes map[int64]int
	first map[int64]time.Time
}

func (z *zoneVotes) init() {
	if z.votes == nil {
		z.votes, z.first = map[int64]int{}, map[int64]time.Time{}
	}
}

func (z *zoneVotes) add(p timePair) {
	z.init()
	d := p.log.Sub(p.trace)
	q := int64(math.Round(float64(d) / float64(zoneQuantum)))
	z.total++
	z.votes[q]++
	if f, ok := z.first[q]; !ok || p.log.Before(f) {
		z.first[q] = p.log
	}
}

func (z *zoneVotes) merge(o *zoneVotes) {
	z.init()
	for q, c := range o.votes {
		z.votes[q] += c
		if f, ok := z.first[q]; !ok || o.first[q].Before(f) {
			z.first[q] = o.first[q]
		}
	}
	z.total += o.total
}

// infer returns the error of the log's clock, to be taken off its times:
// the difference log − trace on which the pairs agree (rounded to 15
// minutes), n the pairs that agree, ok whether they are enough
// (minZonePairs, and 80% of the pairs). It is pure.
func (z *zoneVotes) infer() (offset time.Duration, n int, ok bool) {
	best, bestN := int64(0), 0
	for q, c := range z.votes {
		if c > bestN || (c == bestN && abs64(q) < abs64(best)) {
			best, bestN = q, c
		}
	}
	if bestN < minZonePairs || float64(bestN) < zoneAgree*float64(z.total) {
		return 0, bestN, false
	}
	return time.Duration(best) * zoneQuantum, bestN, true
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// LogZone is what the report says of the send log's clock.
type LogZone struct {
	// ReadAs is the UTC offset the log's zone-less times were read as,
	// after the correction: "+09:00" (the zone given, when ShiftSeconds is
	// 0; a log whose lines carry their offset keeps them).
	ReadAs string `json:"read_as"`
	// ShiftSeconds were added to every log time as parsed (0: the zone
	// given was right).
	ShiftSeconds int64 `json:"shift_seconds"`
	// DaysOff is the whole days the log's dates were ahead (a year-less
	// log given the wrong year: 365), beside its zone.
	DaysOff int `json:"days_off,omitempty"`
	// Matched is the number of messages found both in the log and in the
	// returned messages' Received fields that agree on it.
	Matched int `json:"matched"`
	// Warning, when set, says that the zone given (--tz, or the system's)
	// contradicts the evidence.
	Warning string `json:"warning,omitempty"`
}

// logClock infers the log's clock error from the bounces (see above)
// against the log as st holds it, and returns the shift to add to the
// log's times, with what the report says of it (nil when the log and the
// bounces share too few messages). For each bounce, the oldest hop of
// the returned message with a queue ID is looked up in the log by that
// ID, else the message by its Message-ID against the oldest hop's date.
func (a *Analyzer) logClock(st *logState) (time.Duration, *LogZone) {
	if st == nil || st.index == nil {
		return 0, nil
	}
	var zv zoneVotes
	zv.merge(&a.settled.zone)
	for _, d := range a.mails {
		if p, ok := zonePair(st, d); ok {
			zv.add(p)
		}
	}
	off, n, ok := zv.infer()
	if !ok {
		return 0, nil
	}
	// The zone given, at the time of the earliest message that agrees
	// (across a daylight saving change the offset given differs).
	ref := a.logFirst
	if f, ok := zv.first[int64(off/zoneQuantum)]; ok {
		ref = f
	}
	_, given := ref.In(a.loc).Zone()
	// Beyond a day, the difference is whole days (a year guessed wrong)
	// and a zone's.
	zonePart, days := off, 0
	if off > 26*time.Hour || off < -26*time.Hour {
		days = int(math.Round(float64(off) / float64(24*time.Hour)))
		zonePart = off - time.Duration(days)*24*time.Hour
	}
	readAs := time.Duration(given)*time.Second + zonePart
	z := &LogZone{ReadAs: utcOffset(readAs), ShiftSeconds: int64(-off / time.Second), DaysOff: days, Matched: n}
	switch {
	case days != 0:
		z.Warning = fmt.Sprintf("the send log's dates are %d days off (a year-less log given the wrong year?) and its zone UTC%s: %d messages found both in the log and in the bounces say so; they were read so",
			days, z.ReadAs, n)
	case off != 0:
		z.Warning = fmt.Sprintf("the zone given (%s, UTC%s) contradicts the send log: %d messages found both in the log and in the bounces put its times at UTC%s; they were read so",
			a.loc.String(), utcOffset(time.Duration(given)*time.Second), n, z.ReadAs)
	}
	return -off, z
}

// zonePair is d's pair, when the log as st holds it has its message.
func zonePair(st *logState, d *Digest) (timePair, bool) {
	w := &d.when
	if !d.bounce || w.zoneOld == 0 {
		return timePair{}, false
	}
	at := w.zoneAt
	t, ok := st.index.SentAt(w.zoneQID, "")
	if !ok && d.facts != nil && d.facts.MessageID != "" {
		t, ok = st.index.SentAt("", d.facts.MessageID)
		at = w.zoneOld
	}
	if !ok || at == 0 {
		return timePair{}, false
	}
	return timePair{log: t, trace: time.Unix(at, 0)}, true
}

// utcOffset writes an offset as "+09:00", "−05:00" with an ASCII minus.
func utcOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	m := int(d / time.Minute)
	return fmt.Sprintf("%s%02d:%02d", sign, m/60, m%60)
}
