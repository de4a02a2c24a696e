package sendlog

import (
	"strings"
	"time"
)

// Message is what one submission became: the events of one queue ID
// joined together.
type Message struct {
	Host       string // syslog host, to tell queue IDs of several servers apart
	QueueID    string
	MessageID  string
	From       string // envelope sender; "" for the null sender (a bounce)
	SASLUser   string // the authenticated submitter, if any
	ClientIP   string
	ClientHost string
	LocalUser  string    // local submission: Postfix pickup "uid=33", Exim "U=www-data"
	Time       time.Time // of the message's first event
	Size       int64
	NRcpt      int
	Recipients []Delivery // in order of first attempt; one per recipient, holding its last result
	BounceIDs  []string   // queue IDs of the notifications generated for it (Postfix, Exim, Sendmail)
	Reject     string     // why a command of the message, or (Postfix cleanup) the message itself, was refused
	// Complete is true when the end of the message was seen (Postfix
	// "removed", Exim "Completed", Sendmail: every recipient's final result
	// and any notification); false for messages that Flush or the MaxOpen
	// bound let out early.
	Complete bool
}

// Delivery is the last result for one recipient of a Message.
type Delivery struct {
	To, OrigTo string
	Status     string // sent, bounced, deferred, expired, …
	DSN        string
	Relay      string // next hop's host name ("local", "none", … for Postfix; "" for Exim's local transports)
	RelayIP    string // its address, or a socket such as "private/dovecot-lmtp"
	Text       string
	Time       time.Time
	Attempts   int
}

// Joiner joins events by queue ID (and host) into Messages, streaming: a
// message is finished, and leaves the Joiner's memory, when its end is seen
// (see Message.Complete). Memory is bounded by the number of open queue IDs,
// and at most MaxOpen are kept: past that the oldest is let out incomplete.
//
// Call Messages now and then (for instance after every Read) to take the
// finished messages, and Flush at the end for those still open. Events
// without a queue ID (Reject before one was assigned, AuthFail, Count) are
// not part of any message and are ignored. A Joiner is not safe for
// concurrent use.
type Joiner struct {
	// MaxOpen bounds the open messages; 0 means 200,000.
	MaxOpen int

	open  map[joinKey]*pending
	order []joinKey // keys in order of opening; stale ones are skipped
	head  int
	done  []Message
}

type joinKey struct{ host, qid string }

type pending struct {
	m        Message
	sendmail bool
	finals   int  // recipients with a final result
	bounced  bool // a recipient bounced
	byRcpt   map[string]int
}

// Add feeds one event.
func (j *Joiner) Add(ev Event) {
	if ev.QueueID == "" || ev.Kind == Count || ev.Kind == AuthFail {
		return
	}
	if j.open == nil {
		j.open = map[joinKey]*pending{}
	}
	k := joinKey{ev.Host, ev.QueueID}
	p := j.open[k]
	if p == nil {
		if ev.Kind == Done || ev.Kind == Reject {
			return // the end of a message whose start is not in the log, or a refused command
		}
		p = &pending{m: Message{Host: ev.Host, QueueID: ev.QueueID, Time: ev.Time}}
		p.sendmail = progFamily(ev.Program) == Sendmail
		j.open[k] = p
		j.order = append(j.order, k)
		j.evict()
	}
	m := &p.m
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	switch ev.Kind {
	case Login, Client, MsgID, Accept:
		set(&m.MessageID, ev.MessageID)
		set(&m.SASLUser, ev.SASLUser)
		set(&m.ClientIP, ev.ClientIP)
		set(&m.ClientHost, ev.ClientHost)
		if ev.Kind == Accept || ev.Kind == Client {
			set(&m.From, ev.From)
		}
		if ev.Size > 0 {
			m.Size = ev.Size
		}
		if ev.NRcpt > 0 {
			m.NRcpt = ev.NRcpt
		}
		if len(ev.Text) > 4 && (ev.Text[:4] == "uid=" || ev.Text[:2] == "U=") {
			m.LocalUser = ev.Text
		}
	case Deliver:
		if ev.To == "" { // Postfix "status=expired, returned to sender"
			for i := range m.Recipients {
				if m.Recipients[i].Status == "deferred" {
					m.Recipients[i].Status = ev.Status
				}
			}
			break
		}
		j.deliver(p, ev)
	case Bounce:
		m.BounceIDs = append(m.BounceIDs, ev.BounceID)
	case Reject:
		m.Reject = ev.Text
		if strings.HasSuffix(ev.Program, "/cleanup") { // the whole message was refused
			j.finish(k, true)
			return
		}
	case Done:
		j.finish(k, true)
		return
	}
	if p.sendmail && m.NRcpt > 0 && p.finals >= m.NRcpt && (!p.bounced || len(m.BounceIDs) > 0 || m.From == "") {
		j.finish(k, true)
	}
}

func (j *Joiner) deliver(p *pending, ev Event) {
	m := &p.m
	i := -1
	if p.byRcpt != nil {
		if v, ok := p.byRcpt[ev.To+"\x00"+ev.OrigTo]; ok {
			i = v
		}
	} else {
		for n := range m.Recipients {
			if r := &m.Recipients[n]; r.To == ev.To && r.OrigTo == ev.OrigTo {
				i = n
				break
			}
		}
	}
	if i < 0 {
		m.Recipients = append(m.Recipients, Delivery{To: ev.To, OrigTo: ev.OrigTo})
		i = len(m.Recipients) - 1
		if p.byRcpt != nil {
			p.byRcpt[ev.To+"\x00"+ev.OrigTo] = i
		} else if len(m.Recipients) > 32 {
			p.byRcpt = make(map[string]int, 64)
			for n, r := range m.Recipients {
				p.byRcpt[r.To+"\x00"+r.OrigTo] = n
			}
		}
	}
	d := &m.Recipients[i]
	wasFinal := d.Attempts > 0 && d.Status != "deferred"
	d.Status, d.DSN, d.Relay, d.RelayIP, d.Text, d.Time = ev.Status, ev.DSN, ev.Relay, ev.RelayIP, ev.Text, ev.Time
	d.Attempts++
	if !wasFinal && ev.Status != "deferred" {
		p.finals++
	}
	if ev.Status == "bounced" {
		p.bounced = true
	}
}

// finish moves an open message to the finished ones.
func (j *Joiner) finish(k joinKey, complete bool) {
	p := j.open[k]
	delete(j.open, k)
	p.m.Complete = complete
	j.done = append(j.done, p.m)
}

// evict lets out the oldest open messages while there are more than MaxOpen.
func (j *Joiner) evict() {
	max := j.MaxOpen
	if max <= 0 {
		max = 200000
	}
	for len(j.open) > max && j.head < len(j.order) {
		k := j.order[j.head]
		j.head++
		if _, ok := j.open[k]; ok {
			j.finish(k, false)
		}
	}
	j.compact()
}

// compact drops the consumed and stale part of order once it dominates.
func (j *Joiner) compact() {
	if len(j.order) < 1024 || len(j.order) < 2*len(j.open) {
		return
	}
	live := j.order[:0]
	for _, k := range j.order[j.head:] {
		if _, ok := j.open[k]; ok {
			live = append(live, k)
		}
	}
	// A key that was finished and reopened may appear twice: keep the first.
	seen := make(map[joinKey]bool, len(live))
	out := live[:0]
	for _, k := range live {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	clear(j.order[len(out):])
	j.order, j.head = out, 0
}

// Messages returns the messages finished since the last call, in the order
// they finished, and forgets them.
func (j *Joiner) Messages() []Message {
	out := j.done
	j.done = nil
	return out
}

// Pending returns copies of the messages still open, oldest first, as
// they stand (Complete false), without finishing them: what a report made
// while the log still grows counts beside the finished ones.
func (j *Joiner) Pending() []Message {
	var out []Message
	seen := make(map[joinKey]bool, len(j.open))
	for _, k := range j.order[j.head:] {
		p, ok := j.open[k]
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		m := p.m
		m.Recipients = append([]Delivery(nil), m.Recipients...)
		m.BounceIDs = append([]string(nil), m.BounceIDs...)
		out = append(out, m)
	}
	return out
}

// Open returns the number of messages still open.
func (j *Joiner) Open() int { return len(j.open) }

// Flush finishes every open message (Complete false), oldest first, and
// returns them after those already finished, as Messages does.
func (j *Joiner) Flush() []Message {
	for _, k := range j.order[j.head:] {
		if _, ok := j.open[k]; ok {
			j.finish(k, false)
		}
	}
	j.order, j.head = nil, 0
	return j.Messages()
}
