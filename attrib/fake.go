package attrib

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/bouncewatch/bouncewatch/bounce"
)

// Fake-bounce reason codes.
const (
	CodeFakeNoMessageOfOurs   = "fake_refers_to_no_message_of_ours"
	CodeFakeDangerousAttached = "fake_dangerous_attachment"
	CodeFakeAttached          = "fake_attachment"
	CodeFakeForeignLink       = "fake_foreign_link"
	CodeFakeAuthFail          = "fake_auth_fail"
	CodeFakeLookalike         = "fake_lookalike_sender"
)

// dangerousTypes are attachment media types phishing uses to deliver
// malware: archives, executables, disk images, scripts, shortcuts.
var dangerousTypes = []string{
	"application/zip", "application/x-zip", "application/x-zip-compressed",
	"application/x-rar", "application/x-rar-compressed", "application/vnd.rar",
	"application/x-7z-compressed", "application/gzip", "application/x-gzip",
	"application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
	"application/x-executable", "application/vnd.microsoft.portable-executable",
	"application/x-iso9660-image", "application/x-cd-image", "application/x-apple-diskimage",
	"application/javascript", "application/x-javascript", "text/javascript",
	"application/hta", "application/x-ms-shortcut", "application/x-bat", "application/x-sh",
	"application/vnd.ms-htmlhelp", "application/x-msi", "application/x-ms-installer",
	"application/octet-stream", "text/html",
}

// helpDomains are the help and reference sites real mail systems link to
// in their notices: the providers' own, and blocklists. Host suffixes.
var helpDomains = []string{
	"microsoft.com", "aka.ms", "office.com", "outlook.com", "live.com",
	"support.google.com", "gmail.com", "yahoo.com", "yahoo.co.jp", "help.yahoo.co.jp",
	"apple.com", "icloud.com", "aol.com", "zoho.com", "gmx.net", "mail.ru", "yandex.ru",
	"docomo.ne.jp", "nttdocomo.co.jp", "au.com", "kddi.com", "ezweb.ne.jp", "softbank.jp",
	"softbank.ne.jp", "biglobe.ne.jp", "nifty.com", "ocn.ne.jp",
	"mimecast.com", "proofpoint.com", "barracudanetworks.com", "barracudacentral.org",
	"spamhaus.org", "spamcop.net", "sorbs.net", "senderscore.org", "uceprotect.net",
	"abuseat.org", "rfc-editor.org", "ietf.org",
}

// carriers are the Japanese mobile carriers whose error notices are often
// forged, with the domains their real notices come from.
var carriers = []struct {
	names   []string
	domains []string
}{
	{[]string{"docomo", "ドコモ"}, []string{"docomo.ne.jp", "nttdocomo.co.jp", "docomo.co.jp"}},
	{[]string{"ezweb", "kddi", "au by kddi", "auone"}, []string{"ezweb.ne.jp", "au.com", "kddi.com", "auone.jp"}},
	{[]string{"softbank", "ソフトバンク"}, []string{"softbank.ne.jp", "softbank.jp", "i.softbank.jp", "vodafone.ne.jp"}},
}

// daemonWords in a From or Subject make a message pose as a delivery
// notice.
var daemonWords = []string{
	"mailer-daemon", "mailer_daemon", "postmaster", "mail delivery", "mail administrator",
	"undeliver", "delivery status", "delivery failure", "delivery failed", "returned mail",
	"failure notice", "non-delivery", "not delivered", "could not be delivered",
	"配信不能", "配信エラー", "送信エラー", "不達", "エラーメール", "配送エラー", "返送",
}

// fake returns why res looks like a fake bounce, or nil.
func (ix *Index) fake(res *bounce.Result, o *bounce.Original, items []Item) *Fake {
	from := strings.ToLower(res.From)
	fromDom := domainOf(res.From)
	claimed := res.Kind == bounce.KindBounce
	for _, w := range daemonWords {
		if strings.Contains(from, w) || strings.Contains(strings.ToLower(res.Subject), w) {
			claimed = true
			break
		}
	}
	var lookalike []Item
	for _, c := range carriers {
		named := false
		for _, n := range c.names {
			if strings.Contains(from, n) {
				named = true
			}
		}
		if !named {
			continue
		}
		claimed = true
		genuine := false
		for _, d := range c.domains {
			if fromDom == d || strings.HasSuffix(fromDom, "."+d) {
				genuine = true
			}
		}
		if !genuine {
			lookalike = append(lookalike, item(CodeFakeLookalike, -1,
				fmt.Sprintf("The sender poses as the carrier (%s) but writes from %s, which is not the carrier's domain", c.names[0], firstNonEmpty(fromDom, "no domain")),
				fmt.Sprintf("送信者は携帯会社（%s）を名乗っていますが、送信元ドメイン %s は携帯会社のものではありません", c.names[0], firstNonEmpty(fromDom, "（なし）"))))
		}
	}
	if !claimed {
		return nil
	}

	noOurs, provenOurs := true, false
	for _, it := range items {
		if it.SupportsOurs {
			noOurs = false
		}
		switch it.Code {
		case CodeMessageIDInLog, CodeQueueIDInLog, CodeDKIMOursVerified, CodeBATVValid:
			provenOurs = true
		}
	}

	var hooks []Item
	for _, t := range res.Attachments {
		t = strings.ToLower(t)
		if strings.HasPrefix(t, "image/") || strings.HasPrefix(t, "message/") ||
			t == "application/pgp-signature" || t == "application/pkcs7-signature" ||
			t == "application/x-pkcs7-signature" {
			continue
		}
		dangerous := false
		for _, d := range dangerousTypes {
			if t == d {
				dangerous = true
			}
		}
		if dangerous {
			hooks = append(hooks, item(CodeFakeDangerousAttached, -1,
				fmt.Sprintf("It carries an attachment of type %s, a common way to deliver malware; real delivery notices do not", t),
				fmt.Sprintf("マルウェア配布によく使われる種類（%s）の添付ファイルがあります。本物の配信エラー通知には付きません", t)))
		} else {
			hooks = append(hooks, item(CodeFakeAttached, -1,
				fmt.Sprintf("It carries an attachment of type %s", t),
				fmt.Sprintf("添付ファイル（%s）があります", t)))
		}
	}
	for _, l := range res.Links {
		host := linkHost(l)
		if host == "" || sameOrganization(host, fromDom) || isHelpHost(host) {
			continue
		}
		hooks = append(hooks, item(CodeFakeForeignLink, -1,
			fmt.Sprintf("It links to %s, which is neither the sender's domain (%s) nor a mail provider's help site", host, firstNonEmpty(fromDom, "none")),
			fmt.Sprintf("リンク先 %s は送信元ドメイン（%s）でもメール事業者のヘルプサイトでもありません", host, firstNonEmpty(fromDom, "なし"))))
	}
	auth := authFailures(res.Headers, fromDom)

	isFake := noOurs && len(hooks) > 0 || len(auth) > 0 && !provenOurs
	if !isFake {
		return nil
	}
	f := &Fake{}
	if noOurs {
		en, ja := "It refers to no message of ours", "当方が送信したメッセージを指していません"
		if o == nil {
			en, ja = "It returns no original message, so it refers to no message of ours", "元のメッセージが含まれておらず、当方の送信メールを指していません"
		}
		f.Reasons = append(f.Reasons, item(CodeFakeNoMessageOfOurs, -1, en, ja))
	}
	f.Reasons = append(f.Reasons, hooks...)
	f.Reasons = append(f.Reasons, auth...)
	f.Reasons = append(f.Reasons, lookalike...)
	return f
}

// linkHost returns the lower-case host of a URL.
func linkHost(l string) string {
	u, err := url.Parse(l)
	if err != nil {
		return ""
	}
	return normDomain(u.Hostname())
}

// sameOrganization reports whether two host names share their registrable
// domain (eTLD+1 by the public suffix list).
func sameOrganization(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if a == b {
		return true
	}
	ra, err1 := publicsuffix.EffectiveTLDPlusOne(a)
	rb, err2 := publicsuffix.EffectiveTLDPlusOne(b)
	return err1 == nil && err2 == nil && ra == rb
}

func isHelpHost(h string) bool {
	for _, d := range helpDomains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// authFailures reads the bounce's own Authentication-Results fields
// (RFC 8601) for SPF, DKIM and DMARC failures of the domain it claims.
func authFailures(hs []bounce.Field, fromDom string) []Item {
	var out []Item
	seen := map[string]bool{}
	for _, f := range hs {
		if !strings.EqualFold(f.Name, "Authentication-Results") {
			continue
		}
		// The first element is the authserv-id; then method results.
		parts := strings.Split(f.Value, ";")
		for _, p := range parts[1:] {
			fields := strings.Fields(p)
			if len(fields) == 0 {
				continue
			}
			method, result, ok := strings.Cut(strings.ToLower(fields[0]), "=")
			if !ok {
				continue
			}
			props := map[string]string{}
			for _, kv := range fields[1:] {
				if k, v, ok := strings.Cut(kv, "="); ok {
					props[strings.ToLower(k)] = strings.ToLower(strings.Trim(v, "\"();"))
				}
			}
			var dom string
			switch {
			case method == "spf" && (result == "fail" || result == "softfail"):
				dom = firstNonEmpty(domainOfAny(props["smtp.mailfrom"]), domainOfAny(props["smtp.helo"]))
			case method == "dkim" && result == "fail":
				dom = firstNonEmpty(props["header.d"], domainOfAny(props["header.i"]))
			case method == "dmarc" && result == "fail":
				dom = props["header.from"]
			default:
				continue
			}
			// A failure for a domain other than the one the bounce
			// claims says nothing about the claim; an unnamed one does.
			if dom != "" && fromDom != "" && !sameOrganization(dom, fromDom) {
				continue
			}
			key := method + "=" + result
			if seen[key] {
				continue
			}
			seen[key] = true
			d := firstNonEmpty(dom, fromDom, "?")
			out = append(out, item(CodeFakeAuthFail, -1,
				fmt.Sprintf("Our mail server found %s=%s for %s, the domain the notice claims to come from: forged", method, result, d),
				fmt.Sprintf("当方のメールサーバーが、通知の送信元と称するドメイン %s について %s=%s と判定しました。偽装されています", d, method, result)))
		}
	}
	return out
}

// domainOfAny returns the domain of an address, or the value itself when
// it is a bare domain.
func domainOfAny(v string) string {
	if v == "" {
		return ""
	}
	if d := domainOf(v); d != "" {
		return d
	}
	if strings.Contains(v, ".") {
		return normDomain(v)
	}
	return ""
}
