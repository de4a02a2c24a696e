package web

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
	"github.com/bouncewatch/bouncewatch/dmarcrpt"
	"github.com/bouncewatch/bouncewatch/report"
	"github.com/bouncewatch/bouncewatch/store"
)

// dmarcDays is how many of the latest reported days the domain page shows.
const dmarcDays = 31

// dmarcView is what the receivers' DMARC aggregate reports (RFC 7489
// section 7.2) say of one of our domains: one sentence on whether
// p=reject is safe, and each day's senders.
type dmarcView struct {
	Summary string
	Safe    bool
	Days    []dmarcDayView
}

type dmarcDayView struct {
	store.DMARCDay
	// Bar widths of ours, third party and forgery, out of 200.
	OursW, ThirdW, ForgedW int
	Rows                   []dmarcRow
}

type dmarcRow struct {
	store.DMARCSource
	ClassName   string
	Disposition string // "none 3, quarantine 2"
	Fails       bool   // a legitimate sender whose mail fails both
}

func className(c store.SourceClass, l advice.Lang) string {
	ja := l == advice.Japanese
	switch c {
	case store.SourceOurs:
		if ja {
			return "自社のサーバー"
		}
		return "ours"
	case store.SourceForgery:
		if ja {
			return "なりすまし"
		}
		return "forgery"
	}
	if ja {
		return "外部の送信サービス"
	}
	return "third party"
}

// dmarcFor reads the stored reports of domain: the latest reported days.
func (s *Server) dmarcFor(ctx context.Context, domain string, l advice.Lang) (*dmarcView, error) {
	days, err := s.o.Store.DMARCDays(ctx, domain, zeroTime, zeroTime, dmarcrpt.OurSources(s.o.Relays))
	if err != nil {
		return nil, err
	}
	if len(days) > dmarcDays {
		days = days[len(days)-dmarcDays:]
	}
	v := &dmarcView{}
	var total, forged int64
	forgedIPs := map[string]bool{}
	failing := map[string]int64{} // legitimate senders failing both
	policy := ""
	for _, d := range days {
		dv := dmarcDayView{DMARCDay: d}
		var ours, third int64
		for _, src := range d.Sources {
			row := dmarcRow{DMARCSource: src, ClassName: className(src.Class, l)}
			keys := make([]string, 0, len(src.Disposition))
			for k := range src.Disposition {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, fmt.Sprintf("%s %s", k, report.Number(int(src.Disposition[k]))))
			}
			row.Disposition = strings.Join(parts, ", ")
			switch src.Class {
			case store.SourceOurs:
				ours += src.Messages
			case store.SourceForgery:
				forgedIPs[src.IP] = true
			default:
				third += src.Messages
			}
			if src.Class != store.SourceForgery && src.FailedBoth > 0 {
				row.Fails = true
				failing[src.IP] += src.FailedBoth
			}
			dv.Rows = append(dv.Rows, row)
		}
		if d.Messages > 0 {
			dv.OursW = int(200 * ours / d.Messages)
			dv.ThirdW = int(200 * third / d.Messages)
			dv.ForgedW = int(200 * d.Forged / d.Messages)
		}
		total += d.Messages
		forged += d.Forged
		if d.Policy != "" {
			policy = d.Policy
		}
		v.Days = append(v.Days, dv)
	}
	// Newest day first in the table.
	sort.Slice(v.Days, func(i, j int) bool { return v.Days[i].Day.After(v.Days[j].Day) })
	v.Summary, v.Safe = dmarcSummary(l, domain, len(days), total, forged, len(forgedIPs), policy, failing)
	return v, nil
}

// dmarcSummary is the sentence at the top: is p=reject safe, and if not,
// which legitimate sender still fails.
func dmarcSummary(l advice.Lang, domain string, days int, total, forged int64, forgedIPs int, policy string, failing map[string]int64) (string, bool) {
	ja := l == advice.Japanese
	if days == 0 {
		if ja {
			return fmt.Sprintf("%s の DMARC 集計レポートはまだありません。DMARC レコードの rua= で受信側にレポートを依頼してください。", domain), false
		}
		return fmt.Sprintf("No DMARC aggregate reports for %s yet: ask the receivers for them with rua= in its DMARC record.", domain), false
	}
	if len(failing) > 0 {
		ips := make([]string, 0, len(failing))
		for ip := range failing {
			ips = append(ips, ip)
		}
		sort.Slice(ips, func(i, j int) bool {
			if failing[ips[i]] != failing[ips[j]] {
				return failing[ips[i]] > failing[ips[j]]
			}
			return ips[i] < ips[j]
		})
		var parts []string
		for _, ip := range ips {
			if ja {
				parts = append(parts, fmt.Sprintf("%s（%s 通）", ip, report.Number(int(failing[ip]))))
			} else {
				parts = append(parts, fmt.Sprintf("%s (%s messages)", ip, report.Number(int(failing[ip]))))
			}
		}
		if ja {
			return fmt.Sprintf("%s を p=reject にするのはまだ危険です：正規の送信元 %s のメールが SPF と DKIM の両方で失敗しています。先にこの送信元の SPF か DKIM を直してください。", domain, strings.Join(parts, "、")), false
		}
		return fmt.Sprintf("Not yet safe to move %s to p=reject: legitimate sender %s still fails both SPF and DKIM; fix its SPF or DKIM first.", domain, strings.Join(parts, ", ")), false
	}
	if policy == "reject" {
		if ja {
			return fmt.Sprintf("%s はすでに p=reject です。直近 %d 日の %s 通のうち、なりすまし %s 通（%d アドレス）が拒否の対象です。", domain, days, report.Number(int(total)), report.Number(int(forged)), forgedIPs), true
		}
		return fmt.Sprintf("%s is already at p=reject: of %s messages over %d days, %s forged ones from %d addresses are refused.", domain, report.Number(int(total)), days, report.Number(int(forged)), forgedIPs), true
	}
	if ja {
		return fmt.Sprintf("%s を p=reject にしても安全です：直近 %d 日の正規の送信元はすべて DMARC に合格しており、拒否されるのはなりすまし %s 通（%d アドレス）だけです（現在のポリシー p=%s）。", domain, days, report.Number(int(forged)), forgedIPs, policy), true
	}
	return fmt.Sprintf("Moving %s to p=reject is safe: every legitimate sender passed DMARC over the %d days reported; only %s forged messages from %d addresses would be refused (policy now p=%s).", domain, days, report.Number(int(forged)), forgedIPs, policy), true
}
