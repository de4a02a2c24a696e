package scenario

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// iso2022jp encodes Japanese text as ISO-2022-JP (RFC 1468), the charset
// Japanese mobile carriers and old mail programs use.
func iso2022jp(s string) string {
	out, err := japanese.ISO2022JP.NewEncoder().String(s)
	if err != nil {
		return s
	}
	return out
}

// jisWord encodes a header text as an ISO-2022-JP B encoded word.
func jisWord(s string) string {
	return "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(iso2022jp(s))) + "?="
}

// sjisWord encodes a header text as a Shift_JIS B encoded word.
func sjisWord(s string) string {
	b, err := japanese.ShiftJIS.NewEncoder().String(s)
	if err != nil {
		b = s
	}
	return "=?Shift_JIS?B?" + base64.StdEncoding.EncodeToString([]byte(b)) + "?="
}

// qpBody encodes text as quoted-printable (RFC 2045 section 6.7).
func qpBody(s string) string {
	var b bytes.Buffer
	q := quotedprintable.NewWriter(&b)
	_, _ = q.Write([]byte(s)) // a bytes.Buffer does not fail
	_ = q.Close()
	return b.String()
}

// FakeKinds is the number of fake-notice designs fakeNotice makes; kind i
// and i+FakeKinds are the same design.
const FakeKinds = 16

// fakeNotice is phishing posing as a carrier's, a provider's, a mail
// administrator's or a mailer-daemon's notice: it refers to no message of
// ours and carries a hook — a link to a login page (on another site or its
// own), our address in a link, an archive or a program, or only its
// wording, its HTML or its look-alike sender. kind chooses one of
// FakeKinds designs seen in the wild.
func (w *world) fakeNotice(kind int, to string, at time.Time) (raw []byte, envFrom string, peer client) {
	peer = client{host: "unknown", ip: fmt.Sprintf("198.19.%d.%d", 100+w.rng.IntN(100), 1+w.rng.IntN(254))}
	tag := w.alnum(5)
	var b strings.Builder
	date := rfc5322(at, w.loc)
	// attach writes an attachment: an archive or program (random bytes
	// behind the format's magic number), or an HTML login form.
	attach := func(ctype, name string, size int) {
		var payload []byte
		switch ctype {
		case "text/html":
			payload = []byte(`<html><body><form action="https://login-` + strings.ToLower(tag) + `.example.com/owa/auth" method="post">` +
				`<input name="email" value="` + to + `"><input type="password" name="password"><button>Sign in</button></form></body></html>`)
		default:
			payload = make([]byte, size)
			magic := "PK\x03\x04\x14\x00\x00\x00\x08\x00"
			if ctype == "application/x-msdownload" {
				magic = "MZ\x90\x00\x03\x00\x00\x00\x04\x00"
			}
			copy(payload, magic)
			for i := len(magic); i < size; i++ {
				payload[i] = byte(w.rng.IntN(256))
			}
		}
		fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s\n", ctype, name, name, wrapBase64(string(payload)))
	}
	switch kind % FakeKinds {
	case 0: // docomo look-alike, ISO-2022-JP, archive and link
		dom := "docomo-" + strings.ToLower(tag) + "-support.example"
		envFrom = "info@" + dom
		peer.host = "mail." + dom
		fmt.Fprintf(&b, "From: %s <mailer-daemon@%s>\nTo: %s\n", jisWord("ドコモ メールセンター"), dom, to)
		fmt.Fprintf(&b, "Subject: %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n", jisWord("【docomo】メール送信エラーのお知らせ"), date, w.hex(16), dom)
		bnd := "----=_Part_" + w.alnum(12)
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n", bnd, bnd)
		b.WriteString(iso2022jp("お客様のメールアドレスから送信されたメールが、宛先不明のため配信できませんでした。\n" +
			"送信エラーの詳細は添付ファイルをご確認いただくか、下記よりdアカウントにログインしてください。\n" +
			"https://d-account-" + strings.ToLower(tag) + ".example.net/login?u=" + to + "\n" +
			"24時間以内にご確認いただけない場合、メールの送信機能を停止いたします。\n"))
		fmt.Fprintf(&b, "\n--%s\n", bnd)
		attach("application/zip", fmt.Sprintf("error_report_%s.zip", at.Format("0102")), 180)
		fmt.Fprintf(&b, "--%s--\n", bnd)
	case 1: // au look-alike, UTF-8 HTML, link only
		dom := "au-mail-" + strings.ToLower(tag) + ".example"
		envFrom = "noreply@" + dom
		peer.host = "smtp." + dom
		fmt.Fprintf(&b, "From: %s <postmaster@%s>\nTo: %s\n", mime.BEncoding.Encode("UTF-8", "au by KDDI メールサービス"), dom, to)
		fmt.Fprintf(&b, "Subject: %s\nDate: %s\nMessage-ID: <%s.%s@%s>\nMIME-Version: 1.0\n", mime.BEncoding.Encode("UTF-8", "送信できなかったメールがあります（"+fmt.Sprint(3+w.rng.IntN(9))+"件）"), date, w.alnum(10), w.alnum(6), dom)
		b.WriteString("Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n")
		b.WriteString(wrapBase64(`<html><body><p>` + to + ` 様</p><p>以下のメールは送信できませんでした。保留中のメールを確認するには、<a href="https://auone-` + strings.ToLower(tag) + `.example.com/mail/verify">こちら</a>からログインしてください。</p></body></html>`))
	case 2: // SoftBank look-alike with a program
		dom := "softbank-" + strings.ToLower(tag) + ".example"
		envFrom = "support@" + dom
		peer.host = "mx." + dom
		fmt.Fprintf(&b, "From: %s <mailer-daemon@%s>\nTo: %s\n", jisWord("ソフトバンク"), dom, to)
		fmt.Fprintf(&b, "Subject: %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n", jisWord("メール配信エラー通知"), date, w.uuid(), dom)
		bnd := "=_" + w.alnum(16)
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n", bnd, bnd)
		b.WriteString(iso2022jp("送信されたメールは相手先に届きませんでした。\n添付の配信レポートを開いて再送信してください。\n"))
		fmt.Fprintf(&b, "\n--%s\n", bnd)
		attach("application/x-msdownload", "Delivery_Report.exe", 240)
		fmt.Fprintf(&b, "--%s--\n", bnd)
	case 3: // English "Undelivered Mail Returned to Sender" without any original
		dom := "mailsystem-" + strings.ToLower(tag) + ".example"
		envFrom = "bounce@" + dom
		peer.host = "vps" + fmt.Sprint(w.rng.IntN(9999)) + ".cheap-hosting.example"
		fmt.Fprintf(&b, "From: Mail Delivery System <MAILER-DAEMON@%s>\nTo: %s\nSubject: Undelivered Mail Returned to Sender\n", dom, to)
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n", date, w.hex(20), dom)
		bnd := "b1_" + w.hex(24)
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\nContent-Type: text/plain; charset=us-ascii\n\n", bnd, bnd)
		fmt.Fprintf(&b, "This is the mail system at host %s.\n\nYour message could not be delivered to %d recipients.\n", dom, 2+w.rng.IntN(7))
		fmt.Fprintf(&b, "To release the held messages, sign in to your mailbox at\nhttps://webmail-%s.example.org/release?user=%s\n\nThe mail system\n\n--%s\n", strings.ToLower(tag), to, bnd)
		attach("application/x-zip-compressed", "undelivered_messages.zip", 200)
		fmt.Fprintf(&b, "--%s--\n", bnd)
	case 5: // our "mail administrator", ISO-2022-JP header, base64 HTML only, our address base64 in an own-domain link
		dom := "mail-center-" + strings.ToLower(tag) + ".example"
		envFrom = "notice@" + dom
		peer.host = "mail." + dom
		fmt.Fprintf(&b, "From: %s <notice@%s>\nTo: %s\n", jisWord("メール管理者"), dom, to)
		fmt.Fprintf(&b, "Subject: %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n", jisWord("【重要】受信保留のお知らせ"), date, w.alnum(14), dom)
		b.WriteString("Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n")
		b.WriteString(wrapBase64(fmt.Sprintf(`<html><head><style>p{color:#333}</style></head><body><p>%s 様</p>`+
			`<p>お客様宛てのメール %d 通が保留されています。24時間以内に受信手続きを行わない場合、アカウントが停止されます。</p>`+
			`<p><a href="https://%s/release?id=%s">保留中のメールを受信する</a></p></body></html>`,
			to, 3+w.rng.IntN(9), dom, base64.URLEncoding.EncodeToString([]byte(to)))))
	case 6: // Microsoft 365 quota, Q-encoded name, quoted-printable HTML, /owa/auth on its own domain
		dom := "m365-" + strings.ToLower(tag) + ".example"
		envFrom = "admin@" + dom
		peer.host = "smtp." + dom
		fmt.Fprintf(&b, "From: %s <admin@%s>\nTo: %s\n", mime.QEncoding.Encode("UTF-8", "Microsoft Outlook"), dom, to)
		fmt.Fprintf(&b, "Subject: %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n", mime.QEncoding.Encode("UTF-8", "Action required: your mailbox quota is full"), date, w.alnum(18), dom)
		b.WriteString("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")
		b.WriteString(qpBody(fmt.Sprintf(`<html><body><table><tr><td style="font-family:Segoe UI"><h2>Mailbox storage is full</h2>`+
			`<p>Your mailbox %s has reached 99%% of its quota. %d incoming messages are pending and will be deleted.</p>`+
			`<p><a href="https://%s/owa/auth/upgrade.aspx">Upgrade your mailbox</a> within 24 hours.</p></td></tr></table></body></html>`, to, 2+w.rng.IntN(30), dom)))
		b.WriteString("\n")
	case 7: // look-alike mailer-daemon alone: plain text, no link, no attachment, no report
		dom := w.pick([]string{"docomo-ne-jp-", "softbank-mail-", "ezweb-ne-jp-"}) + strings.ToLower(tag) + ".example"
		envFrom = "mailer-daemon@" + dom
		peer.host = "mx." + dom
		fmt.Fprintf(&b, "From: Mail Delivery System <mailer-daemon@%s>\nTo: %s\nSubject: Undelivered Mail Returned to Sender\n", dom, to)
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n", date, w.hex(12), dom)
		b.WriteString("Your message could not be delivered to some recipients.\nReply to this message to receive the delivery report.\n")
	case 8: // Yahoo! JAPAN in Shift_JIS, full-width digits, our address URL-encoded in a foreign link
		dom := "ymail-" + strings.ToLower(tag) + ".example"
		envFrom = "info@" + dom
		peer.host = "mail." + dom
		fmt.Fprintf(&b, "From: %s <info@%s>\nTo: %s\n", sjisWord("Yahoo! JAPAN"), dom, to)
		fmt.Fprintf(&b, "Subject: %s\nDate: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n", sjisWord("【Yahoo!メール】アカウント停止のお知らせ"), date, w.alnum(12), dom)
		txt, _ := japanese.ShiftJIS.NewEncoder().String("Yahoo! JAPAN メールをご利用のお客様\n\nお客様のアカウントが停止される可能性があります。\n" +
			"２４時間以内に本人確認を行ってください。\nhttps://yj-account-" + strings.ToLower(tag) + ".example.com/verify?email=" + url.QueryEscape(to) + "\n")
		b.WriteString("Content-Type: text/plain; charset=Shift_JIS\nContent-Transfer-Encoding: base64\n\n")
		b.WriteString(wrapBase64(txt))
	case 9: // dressed as a DSN, with a fabricated original, and a webmail login link
		dom := "delivery-report-" + strings.ToLower(tag) + ".example"
		envFrom = "postmaster@" + dom
		peer.host = "mail." + dom
		rcpt := w.localPart() + "@" + w.pick([]string{"gmail.com", "yahoo.co.jp", "outlook.jp"})
		fmt.Fprintf(&b, "From: Mail Delivery Subsystem <postmaster@%s>\nTo: %s\nSubject: Delivery Status Notification (Failure)\n", dom, to)
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n", date, w.hex(16), dom)
		bnd := "rpt_" + w.hex(12)
		fmt.Fprintf(&b, "Content-Type: multipart/report; report-type=delivery-status; boundary=\"%s\"\n\n--%s\nContent-Type: text/plain; charset=us-ascii\n\n", bnd, bnd)
		fmt.Fprintf(&b, "Delivery to the following recipient failed permanently:\n\n     %s\n\n%d more messages are on hold. Sign in to release them:\nhttps://%s/webmail/login.php\n\n", rcpt, 2+w.rng.IntN(9), dom)
		fmt.Fprintf(&b, "--%s\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; %s\n\nFinal-Recipient: rfc822; %s\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n\n", bnd, dom, rcpt)
		sent := at.Add(-w.secs(60, 600))
		fmt.Fprintf(&b, "--%s\nContent-Type: text/rfc822-headers\n\nReceived: from [10.%d.%d.%d] by %s with ESMTP id %s; %s\nFrom: %s\nTo: %s\nSubject: Re: invoice\nDate: %s\nMessage-ID: <%s@%s>\n\n--%s--\n",
			bnd, w.rng.IntN(255), w.rng.IntN(255), 1+w.rng.IntN(254), dom, w.upperHex(10), rfc5322(sent, w.loc), to, rcpt, rfc5322(sent, w.loc), w.hex(20), dom, bnd)
	case 10: // Apple iCloud, HTML only, no link: reply with the password
		dom := "cloud-notice-" + strings.ToLower(tag) + ".example"
		envFrom = "support@" + dom
		peer.host = "smtp." + dom
		fmt.Fprintf(&b, "From: \"Apple iCloud\" <support@%s>\nTo: %s\nSubject: iCloud Mail: messages held\n", dom, to)
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\nContent-Type: text/html; charset=us-ascii\n\n", date, w.alnum(16), dom)
		b.WriteString("<html><body><p>Your iCloud storage is full. Incoming mail is held.</p><p>Reply with your Apple ID password to keep your account active; otherwise it will be deactivated.</p></body></html>\n")
	case 11: // German postmaster, Latin-1 quoted-printable, a form on a free hosting site
		dom := "postfach-" + strings.ToLower(tag) + ".example"
		envFrom = "postmaster@" + dom
		peer.host = "mx." + dom
		fmt.Fprintf(&b, "From: Postmaster <postmaster@%s>\nTo: %s\nSubject: %s\n", dom, to, mime.QEncoding.Encode("ISO-8859-1", "Zustellung fehlgeschlagen: Ihr Postfach ist voll"))
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n", date, w.alnum(16), dom)
		txt, _ := charmap.ISO8859_1.NewEncoder().String(fmt.Sprintf("Ihr Postfach ist voll. %d Nachrichten wurden zurückgehalten.\nBitte melden Sie sich innerhalb von 24 Stunden an:\nhttps://sites.google.com/view/postfach-%s\n", 2+w.rng.IntN(9), strings.ToLower(tag)))
		b.WriteString(qpBody(txt))
		b.WriteString("\n")
	case 12: // "Google", a Gmail look-alike domain, our address base64 in the path
		dom := "gmail-support-" + strings.ToLower(tag) + ".example"
		envFrom = "no-reply@" + dom
		peer.host = "mail." + dom
		fmt.Fprintf(&b, "From: Google <no-reply@%s>\nTo: %s\nSubject: Delivery Status Notification (Failure)\n", dom, to)
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n", date, w.alnum(20), dom)
		fmt.Fprintf(&b, "We could not deliver %d messages to your inbox.\nContinue here: https://%s/c/%s\n", 2+w.rng.IntN(9), dom, base64.RawURLEncoding.EncodeToString([]byte(to)))
	case 13: // a Postfix-like notice with a real-looking diagnostic, nothing returned, a shortened link
		dom := "relay-" + strings.ToLower(tag) + ".example"
		envFrom = "mailer-daemon@" + dom
		peer.host = "mail." + dom
		rcpt := w.localPart() + "@" + w.pick([]string{"gmail.com", "yahoo.co.jp", "outlook.jp"})
		fmt.Fprintf(&b, "From: Mail Delivery System <MAILER-DAEMON@%s>\nTo: %s\nSubject: Undelivered Mail Returned to Sender\n", dom, to)
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n", date, w.hex(14), dom)
		fmt.Fprintf(&b, "This is the mail system at host %s.\n\n<%s>: host mx.remote.example said: 550 5.1.1 <%s>:\n    Recipient address rejected: User unknown\n\n%d more messages are waiting: https://bit.ly/%s\n",
			dom, rcpt, rcpt, 2+w.rng.IntN(9), w.alnum(7))
	case 14: // "Webmail" notice with a link to a bare IP address
		dom := "webmail-" + strings.ToLower(tag) + ".example"
		envFrom = "info@" + dom
		peer.host = "mail." + dom
		fmt.Fprintf(&b, "From: Webmail <info@%s>\nTo: %s\nSubject: %s\n", dom, to, jisWord("メールボックスのお知らせ"))
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n\n", date, w.alnum(12), dom)
		b.WriteString(iso2022jp(fmt.Sprintf("新着メールが %d 通あります。\nhttp://185.%d.%d.%d/m/index.php\n", 2+w.rng.IntN(9), w.rng.IntN(255), w.rng.IntN(255), 1+w.rng.IntN(254))))
	case 15: // no link, no attachment: "reply with your password"
		dom := "mx-gateway-" + strings.ToLower(tag) + ".example"
		envFrom = "postmaster@" + dom
		peer.host = "mx." + dom
		fmt.Fprintf(&b, "From: Postmaster <postmaster@%s>\nTo: %s\nSubject: Mail delivery failed: mailbox disabled\n", dom, to)
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n", date, w.alnum(12), dom)
		b.WriteString("Your mailbox has been disabled and incoming mail is not delivered.\nTo keep your account, reply with your username and your password within 24 hours.\n")
	default: // "Delivery Status Notification (Failure)" in HTML with an HTML form attached
		dom := "notify-" + strings.ToLower(tag) + ".example.net"
		envFrom = "mailer-daemon@" + dom
		peer.host = "unknown"
		fmt.Fprintf(&b, "From: \"Mail Delivery Subsystem\" <mailer-daemon@%s>\nTo: %s\nSubject: Delivery Status Notification (Failure)\n", dom, to)
		fmt.Fprintf(&b, "Date: %s\nMessage-ID: <%s@%s>\nMIME-Version: 1.0\n", date, w.alnum(24), dom)
		bnd := "----" + w.hex(16)
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\nContent-Type: text/html; charset=utf-8\n\n", bnd, bnd)
		fmt.Fprintf(&b, "<html><body><p>Message delivery failed for %s.</p><p>%d messages are pending. <a href=\"https://secure-%s.example.com/owa/retrieve\">Retrieve messages</a></p></body></html>\n\n--%s\n", to, 3+w.rng.IntN(20), strings.ToLower(tag), bnd)
		attach("text/html", "Message_Retrieval.html", 120)
		fmt.Fprintf(&b, "--%s--\n", bnd)
	}
	return bytes.Clone([]byte(b.String())), envFrom, peer
}
