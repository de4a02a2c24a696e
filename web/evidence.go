package web

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/attrib"
	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/diagnose"
	"github.com/bouncewatch/bouncewatch/store"
)

// evidenceRow is one evidence sentence of an incident with the bounces
// behind it: the account's bounces in the surge window, narrowed to the
// attribution the sentence speaks of.
type evidenceRow struct {
	Text, Href, Link string
}

// reasonLink is one reason of the account's bounces with its search.
type reasonLink struct {
	Title string
	N     int
	Href  string
}

// signalAttrib: which bounces an evidence signal speaks of.
var signalAttrib = map[string]attrib.Verdict{
	diagnose.SignalBouncesOurs:          attrib.Ours,
	diagnose.SignalBouncesInSendLog:     attrib.Ours,
	diagnose.SignalESMTPSA:              attrib.Ours,
	diagnose.SignalDKIMOurs:             attrib.Ours,
	diagnose.SignalAuthClients:          attrib.Ours,
	diagnose.SignalBouncesNotOurs:       attrib.NotOurs,
	diagnose.SignalUnauthenticatedEntry: attrib.NotOurs,
	diagnose.SignalDKIMAbsent:           attrib.NotOurs,
	diagnose.SignalBouncesUnknown:       attrib.Unknown,
}

// surgeWindow is the span of an incident's bounces: the account's surge, else
// from the incident's onset on.
func surgeWindow(in *store.Incident, ar *diagnose.AccountReport) (since, until time.Time) {
	since = in.Onset
	if ar != nil && ar.Surge != nil {
		if !ar.Surge.Onset.IsZero() && ar.Surge.Onset.Before(since) {
			since = ar.Surge.Onset
		}
		if !ar.Surge.End.IsZero() {
			until = ar.Surge.End.Add(time.Hour) // End is the surge's last hour
		}
	}
	return since, until
}

// bounceSearch is the bounce list's URL for the account in the window,
// with the extra parameters kv (name, value, …).
func bounceSearch(account string, since, until time.Time, kv ...string) string {
	v := url.Values{"account": {account}}
	if !since.IsZero() {
		v.Set("since", since.UTC().Format(time.RFC3339))
	}
	if !until.IsZero() {
		v.Set("until", until.UTC().Format(time.RFC3339))
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "/bounces?" + v.Encode()
}

// evidence links each of the incident's sentences to its bounces.
func evidence(in *store.Incident, ar *diagnose.AccountReport, l advice.Lang) ([]evidenceRow, []reasonLink) {
	since, until := surgeWindow(in, ar)
	ja := l == advice.Japanese
	label := map[attrib.Verdict][2]string{
		"":             {"the bounces of the surge", "急増期間のバウンス"},
		attrib.Ours:    {"the bounces of messages sent by us", "当社から送られたメールのバウンス"},
		attrib.NotOurs: {"the bounces of messages not sent by us", "当社から送られていないメールのバウンス"},
		attrib.Unknown: {"the bounces not attributed", "判定できなかったバウンス"},
	}
	link := func(v attrib.Verdict) (string, string) {
		t := label[v][0]
		if ja {
			t = label[v][1]
		}
		if v == "" {
			return bounceSearch(in.Account, since, until), t
		}
		return bounceSearch(in.Account, since, until, "attrib", string(v)), t
	}
	sentences, signals := in.Evidence, []string(nil)
	if ar != nil && len(ar.Evidence) == len(ar.EvidenceSignals) && len(ar.Evidence) > 0 {
		sentences, signals = ar.Evidence, ar.EvidenceSignals
		// The reader's language, whatever the detector's: reports
		// from before the sentences were kept in both lack them.
		own := ar.EvidenceEn
		if ja {
			own = ar.EvidenceJa
		}
		if len(own) == len(ar.Evidence) {
			sentences = own
		}
	}
	var rows []evidenceRow
	for i, s := range sentences {
		var v attrib.Verdict
		if i < len(signals) {
			v = signalAttrib[signals[i]]
		}
		href, t := link(v)
		rows = append(rows, evidenceRow{Text: s, Href: href, Link: t})
	}
	if signals != nil {
		// Sentences the incident gained after its report (receivers'
		// DMARC reports citing forgeries, detect.CiteForgery) are in its
		// own evidence only: shown too, after the report's.
		inReport := make(map[string]bool, len(ar.Evidence))
		for _, s := range ar.Evidence {
			inReport[s] = true
		}
		for _, s := range in.Evidence {
			if !inReport[s] {
				href, t := link("")
				rows = append(rows, evidenceRow{Text: s, Href: href, Link: t})
			}
		}
	}
	var reasons []reasonLink
	if ar != nil {
		for _, rc := range ar.Reasons {
			reasons = append(reasons, reasonLink{Title: advice.For(rc.Reason, l).Title, N: rc.Count,
				Href: bounceSearch(in.Account, since, until, "reason", string(rc.Reason))})
		}
	}
	return rows, reasons
}

// attribFilter pages through the search f keeping the bounces whose
// message the detector judges want, until a page is full or scanLimit
// bounces were looked at; next is the ID to continue after (0: the end).
// Each message is decoded and judged once (a notice may carry several
// bounces).
func (s *Server) attribFilter(ctx context.Context, f store.BounceSearch, want attrib.Verdict) (out []store.Bounce, next int64, err error) {
	const scanLimit = 5000
	page := f.Limit
	f.Limit = 200
	verdicts := map[int64]attrib.Verdict{}
	seen := 0
	for {
		bs, err := s.o.Store.SearchBounces(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		for _, b := range bs {
			seen++
			v, ok := verdicts[b.MessageID]
			if !ok {
				v = s.judgeBounce(ctx, b.ID)
				verdicts[b.MessageID] = v
			}
			if v == want {
				out = append(out, b)
			}
			if len(out) == page || seen >= scanLimit {
				return out, b.ID, nil
			}
		}
		if len(bs) < f.Limit {
			return out, 0, nil
		}
		f.After = bs[len(bs)-1].ID
	}
}

// judgeBounce: the detector's verdict on the message behind bounce id
// ("" when it cannot tell).
func (s *Server) judgeBounce(ctx context.Context, id int64) attrib.Verdict {
	_, m, err := s.o.Store.BounceDetail(ctx, id)
	if err != nil || m == nil {
		return ""
	}
	var res *bounce.Result
	if len(m.Raw) > 0 {
		res, _ = bounce.DecodeBytes(m.Raw)
	}
	if res == nil && m.Facts != "" {
		res = factsResult(m.Facts)
	}
	if res == nil {
		return ""
	}
	if a := s.o.Attribute(res); a != nil {
		return a.Verdict
	}
	return ""
}

// factsResult reads a stored message's facts back (nil when they do not
// parse).
func factsResult(facts string) *bounce.Result {
	var res bounce.Result
	if json.Unmarshal([]byte(facts), &res) != nil {
		return nil
	}
	return &res
}
