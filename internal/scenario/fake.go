package scenario

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"strings"
	"time"

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

// fakeNotice is phishing posing as a carrier's or a mailer-daemon's
// delivery failure notice: it refers to no message of ours and carries a
// link to a look-alike login page, an archive or a program. kind chooses
// one of five designs seen in the wild.
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
	switch kind % 5 {
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
