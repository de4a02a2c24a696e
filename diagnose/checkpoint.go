package diagnose

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"time"

	"github.com/bouncewatch/bouncewatch/reason"
)

// A checkpoint is the analyzer's state from the mail — what AddDigest
// built of the digests given so far: the counts, the settled bounces
// (settle.go) and the digests still kept — so that a service restarting
// reads it and the messages stored after it, instead of every message
// (a million digests take seconds to read and judge again). The send
// log's side is not in it: the caller gives the log again, before or
// after, as AddEvent takes it in any order. The settled bounces stay as
// they were judged; the kept ones are judged at the next report as
// before the restart.

// CheckpointVersion is the version of MarshalMail's form: raise it when
// the state changes shape. A checkpoint of another version is refused
// (ErrCheckpointVersion) and the caller adds the digests again.
const CheckpointVersion = 1

// ErrCheckpointVersion is RestoreMail's error for a checkpoint of another
// CheckpointVersion or DigestVersion.
var ErrCheckpointVersion = errors.New("diagnose: checkpoint of another version")

// mailState is the checkpoint in exported form, for encoding/gob.
type mailState struct {
	Version, DigestVersion int

	Messages, Failed, Outside int
	Errors                    [][2]string

	Agg      aggState
	MailLast time.Time
	SettleAt int

	Settled settledState
	Kept    [][]byte // the digests kept, in their binary form
}

type aggState struct {
	Bounces, Records, NotBounce, Delivered, AutoReplies, Feedback, Undated int
	Reasons                                                                map[reason.Reason]int
	DomainsTo, Subjects                                                    map[string]int
	Bounced, Minutes                                                       map[int64]float64
	BFirst, BLast                                                          time.Time
}

type settledState struct {
	N, NFake, LearnN int
	Accs             map[string]acctState
	Fakes            []FakeBounce
	Votes            []byte
	ZoneTotal        int
	ZoneVotes        map[int64]int
	ZoneFirst        map[int64]time.Time
	LearnDoms        map[string]int
	Times            TimeStats
	Odd              []oddState
}

type oddState struct {
	Src        string
	Claimed, T time.Time
	Dated      bool
}

type acctState struct {
	Bounced, Minutes                           map[int64]float64
	Verdicts                                   [3]int
	ESMTPSA, Refusals, RateOnly, NoOrig, InLog int
	Complaint, Unauth, DKIMAbsent              int
	RefusalEx                                  string
	RefusalAt                                  time.Time
	Reasons                                    map[reason.Reason]int
	AuthVia, DKIMOurs                          map[string]int
	Clients                                    map[string]int64
	Mailers                                    []formState
	Subjects                                   map[string]subjectState
}

type formState struct {
	Key   string
	First int64
	N     int32
}

type subjectState struct {
	Spam  bool
	Hours map[int64]subjectHourState
}

type subjectHourState struct {
	N, Rcpts, Hard int
	First, Last    int64
	Sample         string
}

// MarshalMail returns the checkpoint of what the mail built (see above).
func (a *Analyzer) MarshalMail() ([]byte, error) {
	st := mailState{Version: CheckpointVersion, DigestVersion: DigestVersion,
		Messages: a.in.messages, Failed: a.in.failed, Outside: a.in.outside,
		MailLast: a.mailLast, SettleAt: a.settleAt}
	for _, e := range a.in.errors {
		st.Errors = append(st.Errors, [2]string{e.src, e.text})
	}
	g := &a.agg
	st.Agg = aggState{Bounces: g.bounces, Records: g.records, NotBounce: g.notBounce, Delivered: g.delivered,
		AutoReplies: g.autoReplies, Feedback: g.feedback, Undated: g.undated, Reasons: g.reasons,
		DomainsTo: g.domainsTo, Subjects: g.subjects, Bounced: g.bounced, Minutes: g.minutes, BFirst: g.bFirst, BLast: g.bLast}
	s := &a.settled
	votes, err := s.votes.MarshalBinary()
	if err != nil {
		return nil, err
	}
	st.Settled = settledState{N: s.n, NFake: s.nFake, LearnN: s.learnN, Fakes: s.fakes, Votes: votes,
		ZoneTotal: s.zone.total, ZoneVotes: s.zone.votes, ZoneFirst: s.zone.first, LearnDoms: s.learnDoms,
		Times: s.times, Accs: make(map[string]acctState, len(s.accs))}
	for _, o := range s.odd {
		st.Settled.Odd = append(st.Settled.Odd, oddState{o.src, o.claimed, o.t, o.dated})
	}
	for k, b := range s.accs {
		st.Settled.Accs[k] = b.state()
	}
	for _, d := range a.mails {
		data, err := d.MarshalBinary()
		if err != nil {
			return nil, err
		}
		st.Kept = append(st.Kept, data)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(&st); err != nil {
		return nil, fmt.Errorf("diagnose: checkpoint: %w", err)
	}
	return buf.Bytes(), nil
}

// RestoreMail takes a checkpoint MarshalMail wrote, by an analyzer of the
// same configuration (DigestKey and SettleAfter), into a that has been
// given no mail yet. On error a is left as it was.
func (a *Analyzer) RestoreMail(data []byte) error {
	if a.in.messages > 0 || len(a.mails) > 0 {
		return errors.New("diagnose: checkpoint restored into an analyzer that has mail")
	}
	var st mailState
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&st); err != nil {
		return fmt.Errorf("diagnose: checkpoint: %w", err)
	}
	if st.Version != CheckpointVersion || st.DigestVersion != DigestVersion {
		return ErrCheckpointVersion
	}
	kept := make([]*Digest, 0, len(st.Kept))
	for i, b := range st.Kept {
		d := new(Digest)
		if err := d.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("diagnose: checkpoint: digest %d: %w", i, err)
		}
		kept = append(kept, d)
	}
	var votes = a.settled.votes
	if err := votes.UnmarshalBinary(st.Settled.Votes); err != nil {
		return fmt.Errorf("diagnose: checkpoint: %w", err)
	}

	a.in = inputStats{messages: st.Messages, failed: st.Failed, outside: st.Outside}
	for _, e := range st.Errors {
		a.in.errors = append(a.in.errors, srcErr{e[0], e[1]})
	}
	g := st.Agg
	a.agg = aggregate{bounces: g.Bounces, records: g.Records, notBounce: g.NotBounce, delivered: g.Delivered,
		autoReplies: g.AutoReplies, feedback: g.Feedback, undated: g.Undated, reasons: orEmpty(g.Reasons),
		domainsTo: orEmpty(g.DomainsTo), subjects: orEmpty(g.Subjects), bounced: g.Bounced, minutes: g.Minutes,
		bFirst: g.BFirst, bLast: g.BLast}
	a.mailLast, a.settleAt = st.MailLast, st.SettleAt
	s := st.Settled
	a.settled = settled{n: s.N, nFake: s.NFake, learnN: s.LearnN, fakes: s.Fakes, votes: votes,
		zone: zoneVotes{total: s.ZoneTotal, votes: s.ZoneVotes, first: s.ZoneFirst}, learnDoms: orEmpty(s.LearnDoms),
		times: s.Times, accs: make(map[string]*bounceAcct, len(s.Accs))}
	for _, o := range s.Odd {
		a.settled.odd = append(a.settled.odd, oddTime{o.Src, o.Claimed, o.T, o.Dated})
	}
	for k, as := range s.Accs {
		a.settled.accs[k] = as.acct()
	}
	for _, d := range kept {
		a.keep(d)
	}
	return nil
}

func orEmpty[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

func (b *bounceAcct) state() acctState {
	st := acctState{Bounced: b.bounced, Minutes: b.minutes, Verdicts: b.verdicts, ESMTPSA: b.esmtpsa,
		Refusals: b.refusals, RateOnly: b.rateOnly, NoOrig: b.noOrig, InLog: b.inLog, Complaint: b.complaint,
		Unauth: b.unauth, DKIMAbsent: b.dkimAbsent, RefusalEx: b.refusalEx, RefusalAt: b.refusalAt,
		Reasons: b.reasons, AuthVia: b.authVia, DKIMOurs: b.dkimOurs, Clients: b.clients}
	for _, f := range b.beh.mailers {
		st.Mailers = append(st.Mailers, formState{f.key, f.first, f.n})
	}
	if b.beh.subjects != nil {
		st.Subjects = make(map[string]subjectState, len(b.beh.subjects))
		for k, s := range b.beh.subjects {
			ss := subjectState{Spam: s.spam, Hours: make(map[int64]subjectHourState, len(s.hours))}
			for h, x := range s.hours {
				ss.Hours[h] = subjectHourState{x.n, x.rcpts, x.hard, x.first, x.last, x.sample}
			}
			st.Subjects[k] = ss
		}
	}
	return st
}

func (st acctState) acct() *bounceAcct {
	b := &bounceAcct{bounced: st.Bounced, minutes: st.Minutes, verdicts: st.Verdicts, esmtpsa: st.ESMTPSA,
		refusals: st.Refusals, rateOnly: st.RateOnly, noOrig: st.NoOrig, inLog: st.InLog, complaint: st.Complaint,
		unauth: st.Unauth, dkimAbsent: st.DKIMAbsent, refusalEx: st.RefusalEx, refusalAt: st.RefusalAt,
		reasons: orEmpty(st.Reasons), authVia: st.AuthVia, dkimOurs: st.DKIMOurs, clients: st.Clients}
	if b.authVia != nil && b.clients == nil {
		b.clients = map[string]int64{} // made together (gather)
	}
	for _, f := range st.Mailers {
		b.beh.mailers = append(b.beh.mailers, formStat{f.Key, f.First, f.N})
	}
	if st.Subjects != nil {
		b.beh.subjects = make(map[string]*subjectStat, len(st.Subjects))
		for k, s := range st.Subjects {
			ns := &subjectStat{spam: s.Spam, hours: make(map[int64]*subjectHour, len(s.Hours))}
			for h, x := range s.Hours {
				ns.hours[h] = &subjectHour{x.N, x.Rcpts, x.Hard, x.First, x.Last, x.Sample}
			}
			b.beh.subjects[k] = ns
		}
	}
	return b
}
