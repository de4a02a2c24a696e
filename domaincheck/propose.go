package domaincheck

import (
	"strings"
)

// propose builds the records to publish from a finished report.
func propose(rep *Report) []Record {
	var out []Record
	if r, ok := proposeSPF(rep); ok {
		out = append(out, r)
	}
	out = append(out, proposeDMARC(rep)...)
	if r, ok := proposeDKIM(rep); ok {
		out = append(out, r)
	}
	return out
}

// sendsNoMail reports a domain that declares with a null MX that it has
// no mail service, and has no SPF record allowing any sender.
func sendsNoMail(rep *Report) bool {
	return rep.MX.Null && (rep.SPF.Record == "" || rep.SPF.Record == "v=spf1 -all")
}

func proposeSPF(rep *Report) (Record, bool) {
	s := rep.SPF
	rec := Record{Name: rep.Domain, Type: "TXT"}
	switch {
	case rep.MX.Null && s.Record == "" && len(s.Records) == 0:
		rec.Value = "v=spf1 -all"
		rec.Why = tr(
			"The domain receives no mail (null MX); if it sends none either, this record tells every receiver to refuse mail claiming to come from it.",
			"このドメインはメールを受け取りません (ヌル MX)。送信もしないなら、このレコードで「このドメインを名乗るメールはすべて拒否」と受信側に伝えられます。")
		return rec, true
	case s.Record == "" && len(s.Records) == 0:
		if rep.Has("dns.failure") {
			return rec, false
		}
		rec.Value = "v=spf1 mx -all"
		rec.Template = true
		rec.Why = tr(
			"A starting SPF record: your MX servers may send, everyone else is refused (-all). Add every other service that sends as @%[1]s before publishing — your provider's include (for example include:_spf.google.com or include:spf.protection.outlook.com), a newsletter service, the web shop's server (ip4:203.0.113.5) — or their mail will be refused.",
			"出発点となる SPF レコードです。MX サーバーからの送信を許可し、それ以外は拒否 (-all) します。登録する前に、@%[1]s を名乗って送信する他のサービスをすべて追加してください (メール事業者の include、例: include:_spf.google.com や include:spf.protection.outlook.com、メルマガ配信サービス、ネットショップのサーバー ip4:203.0.113.5 など)。追加しないと、それらのメールが拒否されます。",
			rep.Domain)
		return rec, true
	}
	var terms []SPFTerm
	replaces := s.Record
	if len(s.Records) > 1 {
		replaces = strings.Join(s.Records, " | ")
		for _, r := range s.Records {
			p, _ := ParseSPF(r)
			if p != nil {
				terms = append(terms, p.Terms...)
			}
		}
	} else if s.Parsed != nil {
		if s.All == "-all" && !rep.Has("spf.ptr") && !rep.Has("spf.syntax") && !rep.Has("spf.after_all") {
			return rec, false
		}
		terms = s.Parsed.Terms
	} else {
		return rec, false
	}
	var b strings.Builder
	b.WriteString("v=spf1")
	seen := map[string]bool{}
	for _, t := range terms {
		if t.Mechanism == "all" {
			if len(s.Records) > 1 {
				continue
			}
			break // terms after all are never used
		}
		if t.Mechanism == "ptr" || t.Modifier == "exp" {
			continue
		}
		if t.Modifier == "redirect" {
			// "redirect=X" without all becomes "include:X -all".
			t = SPFTerm{Mechanism: "include", Qualifier: Pass, Domain: t.Domain, CIDR4: -1, CIDR6: -1}
		}
		if t.Mechanism != "" && t.Qualifier != Pass {
			continue // -include and the like do not belong in a proposal
		}
		str := t.String()
		if seen[strings.ToLower(str)] {
			continue
		}
		seen[strings.ToLower(str)] = true
		b.WriteString(" " + str)
	}
	b.WriteString(" -all")
	rec.Value = b.String()
	rec.Replaces = replaces
	rec.Why = tr(
		"The same senders as now, ending in -all so that receivers refuse mail from servers not listed instead of accepting it and bouncing it to you. Check first that every service that sends as @%[1]s is listed (DMARC reports show them).",
		"現在と同じ送信元を許可し、最後を -all にします。記載のないサーバーからのメールを受信側が受け取ってあなたにエラーを返すのではなく、拒否するようになります。登録前に、@%[1]s を名乗って送信するサービスがすべて記載されているか確認してください (DMARC レポートで分かります)。",
		rep.Domain)
	if rep.Has("spf.ptr") || rep.Has("spf.after_all") {
		rec.Why.En += " ptr terms (deprecated) and terms after all (never used) are dropped."
		rec.Why.Ja += " ptr (非推奨) と all より後ろの項目 (使われない) は削除しています。"
	}
	if len(s.Records) > 1 {
		rec.Why.En += " The separate records are merged into one: there must be only one."
		rec.Why.Ja += " 複数のレコードを 1 件にまとめています (1 件しか許されません)。"
	}
	if rep.Has("spf.lookups_exceeded") {
		rec.Why.En += " This record still needs too many DNS lookups: remove includes you no longer use, or replace some with the ip4:/ip6: ranges they list."
		rec.Why.Ja += " このレコードはまだ DNS 参照が多すぎます。使っていない include を削除するか、一部をその中の ip4:/ip6: 範囲に置き換えてください。"
	}
	return rec, true
}

func proposeDMARC(rep *Report) []Record {
	d := rep.DMARC
	if rep.Has("dns.failure") && d.Record == "" {
		return nil
	}
	name := "_dmarc." + rep.Domain
	if d.Name != "" {
		name = d.Name
	}
	p := d.Parsed
	if p != nil && d.Policy == "reject" && p.Percent == 100 && (d.Inherited || p.SubdomainPolicy != "none") {
		return nil
	}
	rua := "mailto:dmarc@" + rep.Domain
	adkim, aspf := "r", "r"
	if d.Inherited {
		rua = "mailto:dmarc@" + d.OrgDomain
	}
	if p != nil {
		if len(p.RUA) > 0 {
			rua = strings.Join(p.RUA, ",")
		}
		adkim, aspf = p.ADKIM, p.ASPF
	}
	value := func(policy string) string {
		return "v=DMARC1; p=" + policy + "; rua=" + rua + "; adkim=" + adkim + "; aspf=" + aspf
	}
	reject := Record{Name: name, Type: "TXT", Value: value("reject"), Replaces: d.Record}
	if sendsNoMail(rep) {
		reject.Why = tr(
			"The domain sends and receives no mail, so it can go straight to p=reject: receivers refuse every message that claims to come from it.",
			"このドメインはメールを送受信しないため、すぐに p=reject にできます。このドメインを名乗るメールはすべて受信側で拒否されます。")
		return []Record{reject}
	}
	rejectEn := "Receivers refuse forged mail with your address during delivery, so it never reaches anyone and no bounce comes back to you. Switch to this once the reports (rua) show that your own mail passes SPF or DKIM."
	rejectJa := "あなたのアドレスを偽ったメールは受信の時点で拒否されるため、誰にも届かず、エラーメールもあなたに返ってきません。レポート (rua) で自分のメールが SPF か DKIM に合格していると確認できたら切り替えてください。"
	reject.Why = Text{En: "The goal, p=reject. " + rejectEn, Ja: "最終目標の p=reject です。" + rejectJa}
	if p != nil && d.Policy == "quarantine" {
		reject.Why = Text{En: "Next step after quarantine, the goal: p=reject. " + rejectEn, Ja: "quarantine の次の段階で、最終目標の p=reject です。" + rejectJa}
		return []Record{reject}
	}
	if p != nil && d.Policy == "reject" {
		reject.Why = tr(
			"p=reject for all mail (pct=100) and for subdomains: partial or subdomain exceptions leave room for forgeries.",
			"すべてのメール (pct=100) とサブドメインに p=reject を適用します。一部だけ・サブドメイン除外の設定は偽装の余地を残します。")
		return []Record{reject}
	}
	quarantine := Record{Name: name, Type: "TXT", Value: value("quarantine"), Replaces: d.Record}
	quarantine.Why = tr(
		"Step 1: p=quarantine. Receivers put mail that fails both SPF and DKIM for your domain into spam folders, and send daily reports to %[1]s (create that mailbox, or use a report service). Watch the reports for 2 to 4 weeks: if a service of yours fails, fix its SPF or DKIM before step 2. adkim=r and aspf=r (relaxed) accept your subdomains.",
		"第 1 段階: p=quarantine。SPF と DKIM の両方に不合格のメールは受信側で迷惑メールフォルダーに入り、毎日のレポートが %[1]s に届きます (そのメールボックスを作るか、レポート集計サービスを使ってください)。2〜4 週間レポートを確認し、自社のサービスが不合格になっていたら、第 2 段階の前にその SPF か DKIM を直してください。adkim=r と aspf=r (緩和) はサブドメインも自ドメインとして扱います。",
		rua)
	reject.Why = Text{En: "Step 2, the goal: p=reject. " + rejectEn, Ja: "第 2 段階 (最終目標): p=reject。" + rejectJa}
	reject.Replaces = ""
	return []Record{quarantine, reject}
}

func proposeDKIM(rep *Report) (Record, bool) {
	if !rep.Has("dkim.none") || sendsNoMail(rep) {
		return Record{}, false
	}
	return Record{
		Name:     "SELECTOR._domainkey." + rep.Domain,
		Type:     "TXT",
		Value:    "v=DKIM1; k=rsa; p=PUBLIC-KEY-FROM-YOUR-PROVIDER",
		Template: true,
		Why: tr(
			"Turn on DKIM signing in your mail provider's or server's settings (choose 2048 bits); it shows the selector and the public key to publish here. DKIM lets receivers prove your real mail is yours, even when forwarded, so DMARC can refuse the forgeries safely.",
			"メール事業者またはメールサーバーの設定で DKIM 署名を有効にしてください (2048 ビットを選択)。登録するセレクター名と公開鍵が表示されます。DKIM があると、転送されたメールでも本物であることを受信側が確認でき、DMARC で偽装メールを安全に拒否できます。"),
	}, true
}
