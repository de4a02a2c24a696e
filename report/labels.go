package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/bouncewatch/bouncewatch/advice"
)

// labels holds the fixed words of a report in one language. The template
// reads them as .L.Name; the phrases with numbers in them are the methods
// of [phrases].
type labels struct {
	Title, Overall, Generated, Period, Domains, NoDomains, TimeZone string
	About, Accounts, NoAccounts                                     string
	Verdict, Addresses                                              string
	Bounces, Sent, NoLog                                            string
	Surge, NoSurge, SentInSurge, Logins, Recipients                 string
	PerHour, BouncesPerHour, SentPerHour, SurgeWindow, Onset, Peak  string
	Evidence, Missing, Plan, Urgent, Why, How                       string
	Reasons, TopDomains, TopSubjects, Fake, Inputs, Count           string
	Reason, Domain, Subject, From, Source                           string
	Mail, SendLog, Errors, NotUnderstood                            string
	Chart, OverallChart, Zoom, NoData                               string
	// Campaign labels the account's own mailing behind a surge.
	Campaign string
	// Colon, Comma, Open and Close are the punctuation between labels and
	// values: ": " or "：", and so on.
	Colon, Comma, Open, Close string
}

// labelsFor returns the words of language l (English for any language
// but Japanese).
func labelsFor(l advice.Lang) labels {
	if l == advice.Japanese {
		return labels{
			Title: "バウンス調査レポート", Overall: "総合判定", Generated: "作成日時", Period: "対象期間",
			Domains: "当方のドメイン", NoDomains: "（不明）", TimeZone: "時刻の表記",
			About: "このレポートについて", Accounts: "アカウント別の判定",
			NoAccounts: "判定の対象となるバウンスはありませんでした。",
			Verdict:    "判定", Addresses: "その他の送信元アドレス",
			Bounces: "バウンス", Sent: "送信数", NoLog: "送信ログなし",
			Surge: "急増", NoSurge: "急増なし", SentInSurge: "急増中の送信", Logins: "ログイン", Recipients: "宛先",
			PerHour: "1 時間あたり", BouncesPerHour: "バウンス/時", SentPerHour: "送信/時",
			SurgeWindow: "急増期間", Onset: "開始", Peak: "ピーク",
			Evidence: "根拠", Missing: "不足している証拠", Plan: "対応手順", Urgent: "至急", Why: "理由", How: "方法",
			Reasons: "バウンスの理由", TopDomains: "バウンスの多い宛先ドメイン", TopSubjects: "返送されたメッセージの件名",
			Fake: "偽の通知（バウンスや携帯会社・プロバイダーの通知を装ったフィッシング）", Inputs: "読み込んだ内容", Count: "件数",
			Reason: "理由", Domain: "ドメイン", Subject: "件名", From: "差出人", Source: "ファイル",
			Mail: "メール", SendLog: "送信ログ", Errors: "エラー", NotUnderstood: "解釈できなかった行",
			Chart: "1 時間あたりのバウンス数と送信数", OverallChart: "全アカウントの 1 時間あたりのバウンス数と送信数", Zoom: "急増の前後を拡大",
			NoData:   "データなし",
			Campaign: "一斉送信",
			Colon:    "：", Comma: "、", Open: "（", Close: "）",
		}
	}
	return labels{
		Title: "Bounce report", Overall: "Overall verdict", Generated: "Generated", Period: "Period",
		Domains: "Our domains", NoDomains: "(none known)", TimeZone: "Times in",
		About: "What this report is", Accounts: "Verdicts by account",
		NoAccounts: "No account had bounces to judge.",
		Verdict:    "Verdict", Addresses: "Other sender addresses",
		Bounces: "Bounces", Sent: "Sent", NoLog: "no send log",
		Surge: "Surge", NoSurge: "no surge", SentInSurge: "Sent in the surge", Logins: "Logins", Recipients: "Recipients",
		PerHour: "Per hour", BouncesPerHour: "bounces/h", SentPerHour: "sent/h",
		SurgeWindow: "surge", Onset: "onset", Peak: "peak",
		Evidence: "Evidence", Missing: "Missing evidence", Plan: "What to do", Urgent: "URGENT", Why: "Why", How: "How",
		Reasons: "Bounce reasons", TopDomains: "Most bounced destination domains", TopSubjects: "Subjects of the returned messages",
		Fake: "Fake notices (phishing posing as bounces or as a carrier's or provider's notice)", Inputs: "What was read", Count: "Count",
		Reason: "Reason", Domain: "Domain", Subject: "Subject", From: "From", Source: "File",
		Mail: "Mail", SendLog: "Send log", Errors: "Errors", NotUnderstood: "Lines not understood",
		Chart: "Bounces and sent mail per hour", OverallChart: "Bounces and sent mail per hour, all accounts", Zoom: "Close-up of the surge",
		NoData:   "no data",
		Campaign: "Campaign",
		Colon:    ": ", Comma: ", ", Open: " (", Close: ")",
	}
}

// verdictText names a verdict and says in a sentence what it means.
type verdictText struct{ Name, Meaning string }

// verdictWords returns the name and meaning of v in language l.
func verdictWords(v advice.Verdict, l advice.Lang) verdictText {
	ja := l == advice.Japanese
	switch v {
	case advice.Hijacked:
		if ja {
			return verdictText{"アカウント乗っ取り", "アカウントのパスワードが盗まれ、当方のサーバーから迷惑メールが送られています。至急、対応手順を実施してください。"}
		}
		return verdictText{"Hijacked account", "Spam is leaving through our own server with an account's stolen password. Act now: follow the plan."}
	case advice.Mixed:
		if ja {
			return verdictText{"乗っ取りとなりすまし", "アカウントが乗っ取られ、さらに当方のアドレスが第三者のなりすましにも使われています。至急、対応手順を実施してください。"}
		}
		return verdictText{"Hijacked and forged", "An account is hijacked, and our address is being forged by others as well. Act now: follow the plan."}
	case advice.Spoofed:
		if ja {
			return verdictText{"なりすまし（跳ね返り）", "第三者が当方のアドレスを詐称して送ったメールのバウンスが届いています。当方のサーバーからは送られていません。"}
		}
		return verdictText{"Forged sender (backscatter)", "Someone forges our address: the bounces are for mail that never passed through our server."}
	case advice.Ordinary:
		if ja {
			return verdictText{"通常のバウンス", "当方が送ったメールの通常の配信エラーです。乗っ取りやなりすましの兆候はありません。"}
		}
		return verdictText{"Ordinary bounces", "Everyday delivery failures of mail we sent; nothing points to a hijack or a forgery."}
	case advice.InsufficientEvidence:
		if ja {
			return verdictText{"判断材料不足", "入力だけでは判断できません。対応手順に、集めるべき情報が書かれています。"}
		}
		return verdictText{"Not enough evidence", "The input cannot tell what happened: the plan says what to collect."}
	}
	if ja {
		return verdictText{string(v), "不明な判定です。"}
	}
	return verdictText{string(v), "An unknown verdict."}
}

// verdictClass is the CSS class of a verdict's badge: one of a fixed set,
// never the verdict string itself.
func verdictClass(v advice.Verdict) string {
	switch v {
	case advice.Hijacked:
		return "hijacked"
	case advice.Mixed:
		return "mixed"
	case advice.Spoofed:
		return "spoofed"
	case advice.InsufficientEvidence:
		return "insufficient"
	case advice.Ordinary:
		return "ordinary"
	}
	return "unknown"
}

// missingWords names a missing-evidence code (advice.Evidence*).
func missingWords(code string, l advice.Lang) string {
	ja := l == advice.Japanese
	switch code {
	case advice.EvidenceSendLog:
		if ja {
			return "送信ログ（メールサーバーのログ、またはコントロールパネルの送信数）"
		}
		return "the send log (the mail server's log, or the control panel's sent counts)"
	case advice.EvidenceReceivedChain:
		if ja {
			return "返送されたメッセージの Received ヘッダー"
		}
		return "the Received header lines of the returned messages"
	case advice.EvidenceDKIM:
		if ja {
			return "返送されたメッセージの当方ドメインの DKIM 署名"
		}
		return "our domain's DKIM signature on the returned messages"
	case advice.EvidenceHistory:
		if ja {
			return "通常時の送信量を知るための、より長い期間のデータ"
		}
		return "a longer history, to learn the account's normal rates"
	}
	return code
}

// about is the paragraph that says what the report is, in language l;
// zone names the time zone of its times.
func about(l advice.Lang, zone string) string {
	if l == advice.Japanese {
		return "このレポートは、受け取ったバウンスメール（MAILER-DAEMON などからの不達通知）と、指定された場合は当方のメールサーバーの送信ログをもとに、bouncewatch が作成しました。" +
			"送信アカウントごとに、乗っ取り（盗まれたパスワードで当方のサーバーから迷惑メールが送られている）、" +
			"なりすまし（第三者が当方のアドレスを詐称し、その跳ね返りのバウンスが届いている）、" +
			"通常の配信エラーのどれに当たるかを、根拠・確信度・対応手順とともに示します。" +
			"時刻は " + zone + " で表記しています。"
	}
	return "This report was made by bouncewatch from the bounce messages we received (delivery failure notices from MAILER-DAEMON and the like) " +
		"and, when given, our mail server's send log. " +
		"For each sending account it tells whether the account looks hijacked (spam sent through our server with its stolen password), " +
		"whether others forge our address (the bounces are backscatter), or whether the bounces are ordinary delivery failures, " +
		"with the evidence, a confidence and the steps to take. Times are in " + zone + "."
}

// phrases writes the sentences of a report that hold numbers, in one
// language.
type phrases struct{ ja bool }

func (p phrases) hours(n int) string {
	if p.ja {
		return num(n) + " 時間"
	}
	if n == 1 {
		return "1 hour"
	}
	return num(n) + " hours"
}

func (p phrases) span(from, to string) string {
	if p.ja {
		return from + " 〜 " + to
	}
	return from + " to " + to
}

func (p phrases) bounces(total, ours, notOurs, unknown int) string {
	if p.ja {
		return fmt.Sprintf("%s 件（当方送信 %s / 当方以外 %s / 判定不能 %s）", num(total), num(ours), num(notOurs), num(unknown))
	}
	return fmt.Sprintf("%s (ours %s / not ours %s / unknown %s)", num(total), num(ours), num(notOurs), num(unknown))
}

func (p phrases) inLog(n int) string {
	if p.ja {
		return "送信ログで確認 " + num(n) + " 件"
	}
	return num(n) + " found in the send log"
}

func (p phrases) complaints(n int) string {
	if p.ja {
		return "迷惑メール苦情 " + num(n) + " 件"
	}
	if n == 1 {
		return "1 spam complaint"
	}
	return num(n) + " spam complaints"
}

func (p phrases) sent(n int) string {
	if p.ja {
		return num(n) + " 通"
	}
	return num(n)
}

func (p phrases) surge(onset, end, peak string, peakRate, baseline float64) string {
	if p.ja {
		return fmt.Sprintf("%s 〜 %s、ピーク %s に %s 件/時、通常 %s 件/時", onset, end, peak, rate(peakRate), rate(baseline))
	}
	return fmt.Sprintf("%s to %s, peak %s/h at %s, baseline %s/h", onset, end, rate(peakRate), peak, rate(baseline))
}

func (p phrases) sentInSurge(observed, expected, ratio float64, jump bool) string {
	var s string
	if p.ja {
		s = fmt.Sprintf("%s 通（通常 %s 通、%s 倍）", rate(observed), rate(expected), rate(ratio))
		if jump {
			s += "、急増"
		}
		return s
	}
	s = fmt.Sprintf("%s against %s expected (%s×)", rate(observed), rate(expected), rate(ratio))
	if jump {
		s += ", a jump"
	}
	return s
}

func (p phrases) logins(ips int, fresh []string, nets, failed int) string {
	shown := fresh
	if len(shown) > 5 {
		shown = shown[:5]
	}
	list := joinComma(shown)
	if len(fresh) > len(shown) {
		list += ", …"
	}
	var parts []string
	if p.ja {
		parts = append(parts, fmt.Sprintf("IP アドレス %s 件", num(ips)))
		if len(fresh) > 0 {
			parts = append(parts, fmt.Sprintf("うち新しい IP アドレス %s 件（%s）、新しいネットワーク %s 件", num(len(fresh)), list, num(nets)))
		}
		if failed > 0 {
			parts = append(parts, fmt.Sprintf("ログイン失敗 %s 回", num(failed)))
		}
		return strings.Join(parts, "、")
	}
	parts = append(parts, plural(ips, "IP address", "IP addresses"))
	if len(fresh) > 0 {
		parts = append(parts, fmt.Sprintf("%s new (%s) in %s", num(len(fresh)), list, plural(nets, "new network", "new networks")))
	}
	if failed > 0 {
		parts = append(parts, plural(failed, "failed login", "failed logins"))
	}
	return strings.Join(parts, ", ")
}

func (p phrases) recipients(n, firstTime int) string {
	if p.ja {
		if firstTime > 0 {
			return fmt.Sprintf("%s 件（うち急増中に初めて送った宛先 %s 件）", num(n), num(firstTime))
		}
		return num(n) + " 件"
	}
	if firstTime > 0 {
		return fmt.Sprintf("%s (%s mailed for the first time in the surge)", num(n), num(firstTime))
	}
	return num(n)
}

// campaign describes an account's mailing: "2026-11-02 10:05 JST «…»:
// 5,200 sent, 312 bounced (6.0%), 280 hard".
func (p phrases) campaign(start, subject string, sent, bounced, hard int, rate float64, earlier []string) string {
	pc := strconv.FormatFloat(100*rate, 'f', 1, 64) + "%"
	if p.ja {
		s := fmt.Sprintf("%s「%s」", start, subject)
		if sent > 0 {
			s += fmt.Sprintf("、送信 %s 通、バウンス %s 件（%s）", num(sent), num(bounced), pc)
		} else {
			s += fmt.Sprintf("、バウンス %s 件", num(bounced))
		}
		s += fmt.Sprintf("、うちハードバウンス %s 件", num(hard))
		if len(earlier) > 0 {
			s += "、以前の配信：" + strings.Join(earlier, "、")
		}
		return s
	}
	s := fmt.Sprintf("%s «%s»: ", start, subject)
	if sent > 0 {
		s += fmt.Sprintf("%s sent, %s bounced (%s)", num(sent), num(bounced), pc)
	} else {
		s += num(bounced) + " bounced"
	}
	s += fmt.Sprintf(", %s hard", num(hard))
	if len(earlier) > 0 {
		s += "; earlier mailings " + strings.Join(earlier, ", ")
	}
	return s
}

func (p phrases) confidence(c float64) string {
	if p.ja {
		return "確信度 " + pct(c)
	}
	return "confidence " + pct(c)
}

func (p phrases) others(n int) string {
	if p.ja {
		return fmt.Sprintf("ほか %s アカウントは省略しました（通常の判定、または少数のバウンス）。", num(n))
	}
	if n == 1 {
		return "1 more account is not shown (ordinary, or few bounces)."
	}
	return fmt.Sprintf("%s more accounts are not shown (ordinary, or few bounces).", num(n))
}

func (p phrases) fake(n int) string {
	if p.ja {
		return fmt.Sprintf("バウンスや携帯会社・プロバイダー・メール管理者の通知を装ったメッセージ（フィッシング）%s 件は、根拠から除外しました。リンクを開いたり添付ファイルを開いたりせず、パスワードを入力しないでください。", num(n))
	}
	if n == 1 {
		return "1 message posing as a bounce or as a carrier's, provider's or administrator's notice (phishing) was kept out of the evidence. Do not follow its links, open its attachments or enter a password."
	}
	return fmt.Sprintf("%s messages posing as bounces or as a carrier's, provider's or administrator's notices (phishing) were kept out of the evidence. Do not follow their links, open their attachments or enter a password.", num(n))
}

// mail says what the mail input held, leaving out the kinds that did
// not occur.
func (p phrases) mail(in inputCounts) string {
	type part struct {
		n             int
		ja, one, many string
		always        bool
	}
	parts := []part{
		{in.bounces, "バウンス %s 件", "bounce", "bounces", true},
		{in.records, "（宛先 %s 件）", "recipient", "recipients", true},
		{in.notBounces, "バウンス以外 %s 件", "not a bounce", "not bounces", false},
		{in.delivered, "配信通知 %s 件", "delivery notice", "delivery notices", false},
		{in.autoReplies, "自動返信 %s 件", "auto-reply", "auto-replies", false},
		{in.feedback, "苦情報告 %s 件", "complaint report", "complaint reports", false},
		{in.undated, "日時不明 %s 件", "undated", "undated", false},
		{in.outside, "期間外 %s 件", "outside the period", "outside the period", false},
		{in.failed, "読み込み失敗 %s 件", "failed", "failed", true},
	}
	var b strings.Builder
	if p.ja {
		b.WriteString(fmt.Sprintf("メッセージ %s 件：", num(in.messages)))
		for i, x := range parts {
			if x.n == 0 && !x.always {
				continue
			}
			if i > 1 {
				b.WriteString("、")
			}
			b.WriteString(fmt.Sprintf(x.ja, num(x.n)))
		}
		return b.String()
	}
	b.WriteString(plural(in.messages, "message", "messages") + ": ")
	for i, x := range parts {
		if x.n == 0 && !x.always {
			continue
		}
		switch i {
		case 0:
		case 1:
			b.WriteString(" (" + plural(x.n, x.one, x.many) + ")")
			continue
		default:
			b.WriteString(", ")
		}
		if x.one == x.many { // an adjective: "2 undated"
			b.WriteString(num(x.n) + " " + x.one)
		} else {
			b.WriteString(plural(x.n, x.one, x.many))
		}
	}
	return b.String()
}

func (p phrases) sendLog(files, lines, events, messages, ignored, unknown int, format string) string {
	f := ""
	if format != "" {
		f = " [" + format + "]"
	}
	if p.ja {
		return fmt.Sprintf("ファイル %s 件、%s 行%s：イベント %s 件、送信メッセージ %s 件、無視 %s 行、解釈できない行 %s 行",
			num(files), num(lines), f, num(events), num(messages), num(ignored), num(unknown))
	}
	return fmt.Sprintf("%s, %s%s: %s, %s, %s ignored, %s not understood",
		plural(files, "file", "files"), plural(lines, "line", "lines"), f, plural(events, "event", "events"),
		plural(messages, "outbound message", "outbound messages"), num(ignored), num(unknown))
}

// plural writes n and the noun for it.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return num(n) + " " + many
}

func (p phrases) noLogGiven() string {
	if p.ja {
		return "送信ログは指定されていません。"
	}
	return "No send log was given."
}

func (p phrases) maxPerHour(x float64, sent bool) string {
	if p.ja && sent {
		return "最大 " + rate(x) + " 通/時"
	}
	if p.ja {
		return "最大 " + rate(x) + " 件/時"
	}
	return "max " + rate(x) + "/h"
}

func (p phrases) total(x float64) string {
	if p.ja {
		return "計 " + rate(x)
	}
	return "total " + rate(x)
}

// cell says how many hours one character of a sparkline stands for:
// exactly, or about when the hours do not divide evenly.
func (p phrases) cell(hours int, exact bool) string {
	eq := " = "
	if !exact {
		eq = " ≈ "
	}
	if p.ja {
		return "1 文字" + eq + num(hours) + " 時間"
	}
	if hours == 1 {
		return "one mark" + eq + "1 hour"
	}
	return "one mark" + eq + num(hours) + " hours"
}
