package policy

import (
	"fmt"
	"net/netip"
	"time"
)

// buckets is the number of slices of a window: counts are kept per
// Window/buckets and summed over the last buckets slices.
const buckets = 24

// maxKnown bounds the recipients remembered per account; past it the
// oldest half is forgotten (a recipient forgotten counts as new again).
const maxKnown = 20000

// counter is one account's (SASL user's or sender's) rate windows.
type counter struct {
	slot     [buckets]int64 // slice index of each bucket
	msgs     [buckets]int
	rcpts    [buckets]int // first-time recipients
	instance string       // Postfix's queue instance of the last message
	known    map[string]time.Time
	networks map[netip.Prefix][2]time.Time // first and last seen
}

func (s *Service) counter(key string) *counter {
	c := s.counters[key]
	if c == nil {
		c = &counter{known: map[string]time.Time{}, networks: map[netip.Prefix][2]time.Time{}}
		s.counters[key] = c
	}
	return c
}

func (c *counter) bucket(slot int64) int {
	i := int(slot % buckets)
	if c.slot[i] != slot {
		c.slot[i], c.msgs[i], c.rcpts[i] = slot, 0, 0
	}
	return i
}

func (c *counter) sums(slot int64) (msgs, rcpts int) {
	for i := range buckets {
		if c.slot[i] > slot-buckets && c.slot[i] <= slot {
			msgs += c.msgs[i]
			rcpts += c.rcpts[i]
		}
	}
	return
}

func (c *counter) sawNetwork(n netip.Prefix, now time.Time) {
	seen, ok := c.networks[n]
	if !ok {
		seen[0] = now
	}
	seen[1] = now
	c.networks[n] = seen
}

// knowsNetwork tells whether n was used before t (zero t: ever).
func (c *counter) knowsNetwork(n netip.Prefix, t time.Time) bool {
	seen, ok := c.networks[n]
	return ok && (t.IsZero() || seen[0].Before(t))
}

func (c *counter) networksSince(t time.Time) int {
	n := 0
	for _, seen := range c.networks {
		if !seen[1].Before(t) {
			n++
		}
	}
	return n
}

// count adds one RCPT request to the user's and the sender's windows and
// tells which limit, if any, it passes, and whose window it was (the SASL
// user, or the sender address when several users send as it).
func (s *Service) count(user, sender string, req Request, now time.Time) (string, string) {
	slot := now.UnixNano() / int64(s.cfg.Window/buckets)
	rcpt := account(req["recipient"])
	inst := req["instance"]
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := []string{"u:" + user}
	if sender != "" && sender != user {
		keys = append(keys, "s:"+sender)
	}
	for _, k := range keys {
		c := s.counter(k)
		i := c.bucket(slot)
		if inst == "" || inst != c.instance {
			c.msgs[i]++
			c.instance = inst
		}
		if rcpt != "" {
			if _, ok := c.known[rcpt]; !ok {
				c.rcpts[i]++
			}
			if len(c.known) >= maxKnown {
				c.forgetOldest()
			}
			c.known[rcpt] = now
		}
		msgs, rcpts := c.sums(slot)
		who, acct := "SASL user "+user, user
		if k[0] == 's' {
			who, acct = "sender "+sender, sender
		}
		switch {
		case s.cfg.MaxMessages > 0 && msgs > s.cfg.MaxMessages:
			s.m.trips.WithLabelValues("messages").Inc()
			return acct, fmt.Sprintf("rate: %d messages in %s from %s (limit %d)", msgs, s.cfg.Window, who, s.cfg.MaxMessages)
		case s.cfg.MaxNewRecipients > 0 && rcpts > s.cfg.MaxNewRecipients:
			s.m.trips.WithLabelValues("new_recipients").Inc()
			return acct, fmt.Sprintf("rate: %d first-time recipients in %s from %s (limit %d)", rcpts, s.cfg.Window, who, s.cfg.MaxNewRecipients)
		}
	}
	if s.cfg.MaxNetworks > 0 {
		if n := s.counter("u:" + user).networksSince(now.Add(-s.cfg.Window)); n > s.cfg.MaxNetworks {
			s.m.trips.WithLabelValues("networks").Inc()
			return user, fmt.Sprintf("rate: SASL user %s logged in from %d networks in %s (limit %d)", user, n, s.cfg.Window, s.cfg.MaxNetworks)
		}
	}
	return "", ""
}

func (c *counter) forgetOldest() {
	var ts []time.Time
	for _, t := range c.known {
		ts = append(ts, t)
	}
	// The median by a rough pass: forget what is older than the mean.
	var sum int64
	for _, t := range ts {
		sum += t.UnixNano() / int64(len(ts))
	}
	cut := time.Unix(0, sum)
	for r, t := range c.known {
		if !t.After(cut) {
			delete(c.known, r)
		}
	}
}
