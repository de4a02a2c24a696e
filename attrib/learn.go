package attrib

import (
	"encoding/json"
	"fmt"
	"iter"
	"sort"
	"time"
)

// Population is what the bounces together tell about our site, beyond
// what the log and the configuration say: the domains our mailbox
// receives bounces for, the relays most bounces that claim to be ours
// entered the mail system at, and whether those relays sign with DKIM.
// Learn computes it from every bounce known at report time, so it does
// not depend on the order the bounces came in.
type Population struct {
	domains map[string]bool
	hosts   map[string]bool   // entry hosts voted ours
	orgs    map[string]bool   // entry organisations voted ours (authenticated entries only)
	signs   string            // our domain our relays sign with, when they sign nearly all
	org     map[string]string // Org of the entry hosts seen (read-only after Learn)
	shift   time.Duration
	// Relays are the entry relays voted ours, most used first.
	Relays []Relay
}

// Relay is an entry host (or, for a provider's many servers, its
// organisation) the bounces voted ours.
type Relay struct {
	Host string
	// Org is set when Host is an organisation (registrable domain)
	// standing for many servers: it counts for authenticated entries only.
	Org bool
	// Bounces is how many bounces that claim to be ours entered at it;
	// Authenticated and Signed how many of them by a logged-in client and
	// with our DKIM signature.
	Bounces, Authenticated, Signed int
}

// Vote thresholds: an entry host is voted ours when at least
// VoteMinBounces and VoteShare of the bounces that claim to be ours entered
// there, and it is in our domains or at least half of them were
// authenticated submissions or signed with our DKIM. Our relays "always
// sign" when SignShare of at least VoteMinBounces bounces through them
// carry our signature.
const (
	VoteMinBounces = 5
	VoteShare      = 0.2
	SignShare      = 0.9
)

func (p *Population) isOurDomain(d string) bool {
	if p == nil || len(p.domains) == 0 {
		return false
	}
	d = normDomain(d)
	for d != "" {
		if p.domains[d] {
			return true
		}
		_, rest, ok := cutDot(d)
		if !ok {
			return false
		}
		d = rest
	}
	return false
}

// orgOf is Org, from the cache Learn filled.
func (p *Population) orgOf(host string) string {
	if o, ok := p.org[host]; ok {
		return o
	}
	return Org(host)
}

func (p *Population) logShift() time.Duration {
	if p == nil {
		return 0
	}
	return p.shift
}

// Domains returns the domains learnt from the bounces, sorted.
func (p *Population) Domains() []string {
	if p == nil {
		return nil
	}
	out := make([]string, 0, len(p.domains))
	for d := range p.domains {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// Signs returns the domain our relays sign nearly every message with, or
// "".
func (p *Population) Signs() string {
	if p == nil {
		return ""
	}
	return p.signs
}

// LearnOptions are the inputs of Learn besides the bounces.
type LearnOptions struct {
	// Domains are domains of ours learnt elsewhere (the bounces' envelope
	// recipients: the mailbox they were delivered to is ours).
	Domains []string
	// LogShift is added to the log's times before they are compared with
	// the dates of returned messages (the log's zone offset, when it was
	// inferred to be off).
	LogShift time.Duration
	// Prior are the votes of bounces no longer given in facts (a caller
	// that folds old bounces into counts, see Votes); nil: none.
	Prior *Votes
}

// Votes are Learn's tallies: what each bounce that claims to be ours
// voted for (its entry host and organisation), and what the bounces
// through our relays carried (our DKIM signature). A caller that keeps
// counts instead of old bounces adds theirs once with Index.Vote and
// gives them back to every later Learn (LearnOptions.Prior); those old
// votes were counted with what was known then.
type Votes struct {
	claiming int
	hosts    map[string]*tally
	orgs     map[string]*tally
	through  int
	signed   map[string]int
}

type tally struct{ n, auth, signed int }

func (v *Votes) init() {
	if v.hosts == nil {
		v.hosts, v.orgs, v.signed = map[string]*tally{}, map[string]*tally{}, map[string]int{}
	}
}

// clone returns a copy of v (an empty Votes for nil).
func (v *Votes) clone() *Votes {
	c := &Votes{}
	c.init()
	if v == nil {
		return c
	}
	c.claiming, c.through = v.claiming, v.through
	for k, t := range v.hosts {
		tt := *t
		c.hosts[k] = &tt
	}
	for k, t := range v.orgs {
		tt := *t
		c.orgs[k] = &tt
	}
	for k, n := range v.signed {
		c.signed[k] = n
	}
	return c
}

// newPopulation is a Population that knows the domains of o, and no relay
// yet.
func newPopulation(o LearnOptions) *Population {
	p := &Population{domains: map[string]bool{}, hosts: map[string]bool{}, orgs: map[string]bool{}, org: map[string]string{}, shift: o.LogShift}
	for _, d := range o.Domains {
		if d = normDomain(d); d != "" {
			p.domains[d] = true
		}
	}
	return p
}

// Learn votes on our relays over the Facts of every bounce: the entry host
// that most of the bounces claiming to be ours share is ours when it is
// in our domains or the submissions there were authenticated or signed
// by us (a forger's bots and the recipients' servers are many, and none
// logs in as us); and it tells whether our relays sign every message.
func (ix *Index) Learn(facts iter.Seq[*Facts], o LearnOptions) *Population {
	p := newPopulation(o)
	v := o.Prior.clone()
	ix.voteEntries(p, facts, v)
	need := max(VoteMinBounces, int(VoteShare*float64(v.claiming)+0.5))
	jc := judgeCtx{ix: ix, pop: p}
	for h, t := range v.hosts {
		if t.n >= need && (jc.isOurDomain(h) || ix.isRelay(h) || 2*t.auth >= t.n || 2*t.signed >= t.n) {
			p.hosts[h] = true
			p.Relays = append(p.Relays, Relay{Host: h, Bounces: t.n, Authenticated: t.auth, Signed: t.signed})
		}
	}
	for o, t := range v.orgs {
		covered := false
		for h := range p.hosts {
			covered = covered || p.orgOf(h) == o
		}
		if !covered && t.n >= need && 2*t.auth >= t.n {
			p.orgs[o] = true
			p.Relays = append(p.Relays, Relay{Host: o, Org: true, Bounces: t.n, Authenticated: t.auth, Signed: t.signed})
		}
	}
	sort.Slice(p.Relays, func(i, k int) bool {
		if p.Relays[i].Bounces != p.Relays[k].Bounces {
			return p.Relays[i].Bounces > p.Relays[k].Bounces
		}
		return p.Relays[i].Host < p.Relays[k].Host
	})
	// Do our relays sign everything?
	ix.voteSigns(p, facts, v)
	for d, n := range v.signed {
		if v.through >= VoteMinBounces && float64(n) >= SignShare*float64(v.through) {
			if p.signs == "" || d < p.signs { // the same whatever the map's order
				p.signs = d
			}
		}
	}
	return p
}

// Vote adds the votes of facts to v, judged with p, the Population of
// the last Learn (nil: what the index alone knows): for a caller that
// then forgets those bounces and gives v to the next Learn as
// LearnOptions.Prior.
func (ix *Index) Vote(v *Votes, facts iter.Seq[*Facts], p *Population) {
	v.init()
	if p == nil {
		p = newPopulation(LearnOptions{})
	}
	ix.voteEntries(p, facts, v)
	ix.voteSigns(p, facts, v)
}

// voteEntries tallies the entry hosts (and organisations) of the bounces
// that claim to be ours. It fills p's cache of organisations.
func (ix *Index) voteEntries(p *Population, facts iter.Seq[*Facts], v *Votes) {
	jc := judgeCtx{ix: ix, pop: p}
	known := jc.knowsOurDomains()
	ourSig := func(f *Facts) string {
		for _, s := range f.DKIM {
			if jc.isOurDomain(s.Domain) || !known && (s.Domain == f.FromDomain || jc.isOurDomain(f.FromDomain)) {
				return s.Domain
			}
		}
		return ""
	}
	for f := range facts {
		if f == nil || !f.Returned || len(f.Hops) == 0 || (known && !jc.claimsOurs(f)) {
			continue
		}
		e := f.Entry()
		if e == nil {
			continue
		}
		v.claiming++
		auth, _ := f.Authenticated()
		signed := ourSig(f) != ""
		add := func(m map[string]*tally, k string) {
			t := m[k]
			if t == nil {
				t = &tally{}
				m[k] = t
			}
			t.n++
			if auth {
				t.auth++
			}
			if signed {
				t.signed++
			}
		}
		add(v.hosts, e.By)
		org, ok := p.org[e.By]
		if !ok {
			org = Org(e.By)
			p.org[e.By] = org
		}
		if org != e.By {
			add(v.orgs, org)
		}
	}
}

// voteSigns counts the bounces that passed our relays (as p knows them)
// and, of them, those signed by one of our domains.
func (ix *Index) voteSigns(p *Population, facts iter.Seq[*Facts], v *Votes) {
	jc := judgeCtx{ix: ix, pop: p}
	for f := range facts {
		if f == nil || !f.Returned || len(f.Hops) == 0 {
			continue
		}
		at := false
		for i := range f.Hops {
			if jc.relayBy(f, &f.Hops[i]) {
				at = true
				break
			}
		}
		if !at {
			continue
		}
		v.through++
		for _, s := range f.DKIM {
			if jc.isOurDomain(s.Domain) {
				v.signed[s.Domain]++
				break
			}
		}
	}
}

func cutDot(d string) (string, string, bool) {
	for i := 0; i < len(d); i++ {
		if d[i] == '.' {
			return d[:i], d[i+1:], true
		}
	}
	return d, "", false
}

// votesState is Votes in exported form, written as JSON (which, unlike
// encoding/gob, allocates only what the input holds: a damaged state
// cannot make it allocate without bound).
type votesState struct {
	Claiming, Through int
	Hosts, Orgs       map[string][3]int // n, authenticated, signed
	Signed            map[string]int
}

// MarshalBinary encodes v, for a caller that saves its state.
func (v *Votes) MarshalBinary() ([]byte, error) {
	st := votesState{Claiming: v.claiming, Through: v.through, Hosts: map[string][3]int{}, Orgs: map[string][3]int{}, Signed: v.signed}
	for k, t := range v.hosts {
		st.Hosts[k] = [3]int{t.n, t.auth, t.signed}
	}
	for k, t := range v.orgs {
		st.Orgs[k] = [3]int{t.n, t.auth, t.signed}
	}
	data, err := json.Marshal(&st)
	if err != nil {
		return nil, fmt.Errorf("attrib: votes: %w", err)
	}
	return data, nil
}

// UnmarshalBinary decodes what MarshalBinary wrote into v.
func (v *Votes) UnmarshalBinary(data []byte) error {
	var st votesState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("attrib: votes: %w", err)
	}
	*v = Votes{claiming: st.Claiming, through: st.Through}
	v.init()
	for k, t := range st.Hosts {
		v.hosts[k] = &tally{t[0], t[1], t[2]}
	}
	for k, t := range st.Orgs {
		v.orgs[k] = &tally{t[0], t[1], t[2]}
	}
	for k, n := range st.Signed {
		v.signed[k] = n
	}
	return nil
}
