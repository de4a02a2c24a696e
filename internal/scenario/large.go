package scenario

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/bouncewatch/bouncewatch/advice"
)

// Large makes a scenario of about the given size for benchmarks: a
// hosting server with many accounts and two weeks of their mail, in which
// shop@ is hijacked (bulk mail to a few recipients a message) while
// info@'s address is forged, the two sharing the bounces about 3:7; the
// bounces of every account land in one mbox file (an administrator's
// catch-all). The log is filled with the accounts' everyday mail up to
// about logLines lines; the real counts are in Stats.
func Large(dir string, bounces, logLines int) (*Scenario, error) {
	w, sc, err := build(dir, options{seed: 42, mbox: true})
	if err != nil {
		return nil, err
	}
	sc.Name = fmt.Sprintf("large-%d-%d", bounces, logLines)
	sc.About = fmt.Sprintf("a hosting server's two weeks: %d bounces (a hijack and a forgery at once), about %d log lines", bounces, logLines)
	sc.Mail = []string{filepath.Join(dir, "mail", "bounces.mbox")}
	var tl timeline
	from := historyStart().AddDate(0, 0, -7)
	const hours = 12
	end := Onset().Add(hours*time.Hour + time.Hour)

	shop, info, tanaka := w.site()
	// Estimated from the simulation: a spam message to one to five
	// recipients gives about 1.2 notices and 18.5 log lines; a notice of
	// backscatter 8 lines; an everyday message with the mail received
	// beside it about 14 lines.
	spam := int(float64(bounces) * 0.3 / 1.23)
	forged := bounces - int(float64(spam)*1.19)
	est := float64(spam)*18.5 + float64(forged)*8
	w.intrude(&tl, intrusion{acct: shop, start: Onset(), hours: hours, perHour: [2]int{spam * 9 / 10 / hours, spam * 11 / 10 / hours},
		clients: []client{intruder1, intruder2, intruder3}, refuse: 0.32, later: 0.18, rcpts: [2]int{1, 5}, campaign: campaignA,
		guesses: map[string]int{intruder1.ip: 40}})
	w.forge(&tl, forgery{addr: info.addr, start: Onset().Add(30 * time.Minute), hours: hours, perHour: [2]int{forged * 9 / 10 / hours, forged * 11 / 10 / hours}, campaign: campaignB, reporters: 400})

	accts := []*account{shop, info, tanaka}
	for i := range 120 {
		a := &account{addr: fmt.Sprintf("%s%d@%s", w.pick(familyNames), i, Domain), name: "利用者", clients: []client{office}, mua: "thunderbird"}
		if i%3 == 1 {
			a.mua, a.clients = "outlook", []client{home, phone}
		}
		a.regular = w.correspondents(20)
		w.markBad(a, 1)
		a.mailbox = a.addr
		accts = append(accts, a)
	}
	// Everyday volume: what is left of the line budget, spread over the
	// accounts' 100 or so busy hours in two weeks.
	rest := max(float64(logLines)-est, float64(logLines)/20)
	per := rest / 14 / 100 / float64(len(accts))
	for i, a := range accts {
		if i >= 3 { // the site's own three keep their habits
			a.perHour = per * (0.5 + w.rng.Float64())
		}
		w.history(&tl, a, from, end, true)
	}
	sc.Now = end.Add(time.Hour)
	sc.Expect = []Expect{
		{Account: shop.addr, Verdict: advice.Hijacked, Surge: Present},
		{Account: info.addr, Verdict: advice.Spoofed, Surge: Present},
	}
	return finish(w, &tl, sc)
}
