package attrib

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
	"golang.org/x/text/width"

	"github.com/bouncewatch/bouncewatch/bounce"
	"github.com/bouncewatch/bouncewatch/smtpcode"
)

// Fake-bounce reason codes.
const (
	CodeFakeNoMessageOfOurs   = "fake_refers_to_no_message_of_ours"
	CodeFakeDangerousAttached = "fake_dangerous_attachment"
	CodeFakeAttached          = "fake_attachment"
	CodeFakeForeignLink       = "fake_foreign_link"
	CodeFakeCredentialLink    = "fake_credential_link"
	CodeFakeAddressInLink     = "fake_our_address_in_link"
	CodeFakeHiddenLink        = "fake_hidden_link_target"
	CodeFakeAuthFail          = "fake_auth_fail"
	CodeFakeLookalike         = "fake_lookalike_sender"
	CodeFakeImpersonation     = "fake_impersonates_provider"
	CodeFakeAdminName         = "fake_poses_as_our_administrator"
	CodeFakeHTMLOnly          = "fake_html_only_notice"
	CodeFakeWording           = "fake_phishing_wording"
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
	"application/octet-stream", "text/html", "image/svg+xml", "application/x-shockwave-flash",
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

// abusedHosts are hosting and form services under big providers' names
// where anyone can publish a login page: never a help site, never the
// provider speaking.
var abusedHosts = []string{
	"sites.google.com", "docs.google.com", "forms.gle", "googleapis.com", "web.app",
	"firebaseapp.com", "forms.office.com", "sharepoint.com", "onmicrosoft.com",
	"1drv.ms", "onedrive.live.com", "blogspot.com", "workers.dev", "pages.dev", "r2.dev",
	"ipfs.io", "dweb.link", "weebly.com", "wixsite.com", "000webhostapp.com", "glitch.me",
	"github.io", "netlify.app", "vercel.app", "herokuapp.com", "azurewebsites.net",
	"blob.core.windows.net", "amazonaws.com", "cloudfront.net",
}

// brand is a carrier or provider whose notices phishing imitates: the
// names it goes by in a display name or Subject, the tokens a look-alike
// domain borrows, and the registrable domains its real mail comes from.
type brand struct {
	name    string   // for the reason text
	names   []string // lower case, in From's display name or the Subject
	tokens  []string // in a domain label of a look-alike
	domains []string // registrable domains (and their subdomains) of the real sender
}

// brands are the carriers, providers and hosting companies our users get
// fake notices "from". Short names ("au") are matched as whole words.
var brands = []brand{
	{"docomo", []string{"docomo", "ドコモ", "nttdocomo"}, []string{"docomo"},
		[]string{"docomo.ne.jp", "nttdocomo.co.jp", "docomo.co.jp", "nttdocomo.com", "spmode.ne.jp"}},
	{"au (KDDI)", []string{"kddi", "ezweb", "au by kddi", "auone", "au one", "auメール", "au id", "au お客様"}, []string{"kddi", "ezweb", "auone"},
		[]string{"ezweb.ne.jp", "au.com", "kddi.com", "auone.jp", "kddi.ne.jp", "uqmobile.jp", "biz.ezweb.ne.jp"}},
	{"SoftBank", []string{"softbank", "ソフトバンク", "ymobile", "ワイモバイル"}, []string{"softbank", "ymobile"},
		[]string{"softbank.ne.jp", "softbank.jp", "vodafone.ne.jp", "disney.ne.jp", "ymobile.ne.jp", "ymobile.jp", "softbank.co.jp"}},
	{"Microsoft", []string{"microsoft", "outlook", "office 365", "office365", "microsoft 365", "hotmail", "exchange online", "マイクロソフト"},
		[]string{"microsoft", "office365", "outlook", "hotmail", "msonline"},
		[]string{"microsoft.com", "outlook.com", "hotmail.com", "live.com", "office.com", "office365.com", "microsoftonline.com", "msn.com", "outlook.jp", "hotmail.co.jp", "live.jp", "aka.ms", "protection.outlook.com"}},
	{"Google", []string{"google", "gmail", "グーグル"}, []string{"google", "gmail"},
		[]string{"google.com", "gmail.com", "googlemail.com", "google.co.jp", "accounts.google.com"}},
	{"Yahoo", []string{"yahoo", "ヤフー"}, []string{"yahoo"},
		[]string{"yahoo.com", "yahoo.co.jp", "yahoo.net", "yahoodns.net", "yahooinc.com", "yahoo-inc.com", "ybb.ne.jp", "aol.com", "verizonmedia.com"}},
	{"Apple", []string{"apple", "icloud", "アップル"}, []string{"apple", "icloud"},
		[]string{"apple.com", "icloud.com", "me.com", "mac.com"}},
	{"Xserver", []string{"xserver", "エックスサーバー"}, []string{"xserver"}, []string{"xserver.jp", "xserver.ne.jp", "xserver.co.jp"}},
	{"Sakura Internet", []string{"さくらインターネット", "sakura internet"}, []string{"sakura"}, []string{"sakura.ne.jp", "sakura.ad.jp"}},
	{"Lolipop", []string{"lolipop", "ロリポップ"}, []string{"lolipop"}, []string{"lolipop.jp", "paperboy.co.jp", "pepabo.com"}},
	{"Onamae.com (GMO)", []string{"お名前.com", "onamae"}, []string{"onamae"}, []string{"onamae.com", "gmo.jp", "onamae.ne.jp"}},
	{"ConoHa", []string{"conoha"}, []string{"conoha"}, []string{"conoha.jp"}},
	{"OCN", []string{"ocn ", "ocnメール", "nttコミュニケーションズ"}, []string{"ocn-"}, []string{"ocn.ne.jp", "ocn.com", "ntt.com", "ocn.jp"}},
	{"BIGLOBE", []string{"biglobe", "ビッグローブ"}, []string{"biglobe"}, []string{"biglobe.ne.jp", "biglobe.co.jp"}},
	{"So-net", []string{"so-net", "ソネット"}, []string{"so-net", "sonet"}, []string{"so-net.ne.jp", "sonynetwork.co.jp", "so-net.jp"}},
	{"@nifty", []string{"@nifty", "ニフティ"}, []string{"nifty"}, []string{"nifty.com", "nifty.ne.jp"}},
	{"plala", []string{"plala", "ぷらら"}, []string{"plala"}, []string{"plala.or.jp", "plala.jp"}},
	{"J:COM", []string{"j:com", "jcom", "ジェイコム"}, []string{"jcom"}, []string{"jcom.home.ne.jp", "jcom.co.jp", "jcom.zaq.ne.jp", "zaq.ne.jp"}},
	{"eo", []string{"eo光", "eoネット", "eonet"}, []string{"eonet"}, []string{"eonet.ne.jp", "k-opti.com", "eo.jp"}},
	{"Rakuten", []string{"rakuten", "楽天"}, []string{"rakuten"}, []string{"rakuten.co.jp", "rakuten.jp", "rakuten.com", "mail.rakuten.com"}},
	{"KAGOYA", []string{"kagoya", "カゴヤ"}, []string{"kagoya"}, []string{"kagoya.jp", "kagoya.net", "kagoya.com"}},
	{"Zoho", []string{"zoho"}, []string{"zoho"}, []string{"zoho.com", "zoho.jp", "zohomail.com", "zoho.eu"}},
	{"Amazon", []string{"amazon", "アマゾン"}, []string{"amazon"}, []string{"amazon.com", "amazon.co.jp", "amazonses.com", "amazonaws.com", "amazon.jp"}},
}

// daemonWords in a From or Subject make a message pose as a delivery
// notice or a mail system's message.
var daemonWords = []string{
	"mailer-daemon", "mailer_daemon", "postmaster", "mail delivery", "mail administrator",
	"undeliver", "delivery status", "delivery failure", "delivery failed", "returned mail",
	"failure notice", "non-delivery", "not delivered", "could not be delivered",
	"mailbox", "mail box", "email account", "e-mail account", "mail account", "webmail", "quota",
	"配信不能", "配信エラー", "送信エラー", "不達", "エラーメール", "配送エラー", "返送",
	"messages held", "held messages", "messages on hold", "pending messages", "incoming messages", "mail storage",
	"メール管理者", "システム管理者", "メールボックス", "メールアカウント", "メール容量", "保留", "受信手続き",
	"未配信", "送信できなかった", "受信できな",
}

// adminNames in a display name pose as the administrator of our own mail:
// a real one writes from our domain.
var adminNames = []string{
	"メール管理者", "システム管理者", "メールサーバー管理", "メールシステム管理", "メールサポート",
	"mail administrator", "email administrator", "e-mail administrator", "system administrator",
	"mailbox administrator", "mail admin", "email admin", "webmail", "mail server", "email server",
	"mail support", "email support",
}

// urlActions in a link's path or query, or as the first label of its
// host, ask for credentials or an action on the mailbox.
var urlActions = []string{
	"login", "log-in", "log_in", "logon", "signin", "sign-in", "sign_in", "verify", "verif",
	"validat", "confirm", "restore", "recover", "release", "retriev", "unlock", "reactivat",
	"re-activat", "upgrade", "quota", "password", "passwd", "webmail", "/owa", "wp-login",
	"/auth", "authenticat", "account-update", "update-account", "mailbox", "held", "pending",
}

// actionPhrases are what phishing asks of the reader, or how it presses
// them, in its own text (lower case; full-width forms folded). Delivery
// reports written by mail servers state facts and carry a diagnostic;
// they never ask anyone to log in, release messages or verify a mailbox.
var actionPhrases = []string{
	// English
	"sign in", "sign-in", "log in to", "login to", "log into", "click here", "click below", "click the link",
	"verify your", "confirm your", "validate your", "restore your", "recover your", "release the held",
	"release your", "release pending", "release messages", "held messages", "messages are pending",
	"pending messages", "messages on hold", "messages were held", "messages have been held",
	"retrieve your", "retrieve messages", "upgrade your", "increase your quota", "will be suspended",
	"will be deactivated", "will be deleted", "will be closed", "will be disabled", "will be terminated",
	"within 24 hours", "within 48 hours", "password expire", "password will expire", "keep your password",
	"keep same password", "update your account", "re-activate", "reactivate", "unlock your",
	"scan the qr code", "scan this qr code", "qr code below",
	"your password", "reply with your", "enter your password", "confirm your password",
	// Japanese
	"保留されています", "保留中のメール", "保留されたメール", "受信手続き", "アカウントが停止", "アカウントを停止",
	"停止されます", "停止いたします", "停止させていただきます", "利用停止", "凍結されます", "24時間以内", "48時間以内",
	"認証してください", "再認証", "本人確認", "ログインして", "ログインの上", "サインインして", "パスワードの有効期限",
	"パスワードを更新", "こちらをクリック", "下記のリンク", "以下のリンク", "リンクをクリック", "手続きをしてください",
	"手続きを行って", "受け取るには", "受信するには", "容量を増や", "アップグレード",
	"qrコードを読み取", "qrコードをスキャン", "qrコードから",
	"パスワードを返信", "パスワードを入力", "パスワードをご入力", "パスワードを記入",
	// German, French, Spanish, Portuguese, Chinese, Korean
	"melden sie sich", "bestätigen sie ihr", "innerhalb von 24 stunden", "wird gesperrt",
	"connectez-vous", "vérifiez votre", "dans les 24 heures", "sera suspendu",
	"inicie sesión", "iniciar sesión", "verifique su", "dentro de 24 horas", "será suspendida",
	"faça login", "verifique sua", "será suspensa", "dentro de 24 horas",
	"请登录", "验证您的", "24小时内", "将被暂停", "請登入", "驗證您的",
	"로그인하", "24시간 이내", "확인하십시오",
}

// contextPhrases are a phishing notice's pretexts; real reports use them
// too ("mailbox is full"), so they are named beside an action phrase but
// never decide alone.
var contextPhrases = []string{
	"mailbox is full", "mailbox quota", "storage is full", "storage limit", "quota exceeded",
	"メールボックスの容量", "容量がいっぱい", "容量が上限", "容量の上限", "認証", "パスワード", "保留",
	"postfach ist voll", "boîte aux lettres est pleine", "buzón está lleno", "caixa de correio", "邮箱已满",
}

// mtaShape says what of a real delivery report a notice carries.
type mtaShape struct {
	dsn, returned, diagnostic bool
	htmlOnly                  bool
}

func (s mtaShape) any() bool { return s.dsn || s.returned || s.diagnostic }

// returnsMessage reports whether a notice returns a message (its
// header block at least), decoded or as a MIME part.
func returnsMessage(res *bounce.Result, o *bounce.Original) bool {
	if o != nil && (o.MessageID != "" || len(o.Received) > 0 || len(o.Headers) > 0 || o.From != "") {
		return true
	}
	for _, t := range res.Parts {
		switch t {
		case "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers":
			return true
		}
	}
	return false
}

func shapeOf(res *bounce.Result, o *bounce.Original) mtaShape {
	var s mtaShape
	s.returned = returnsMessage(res, o)
	texts, html := 0, 0
	for _, t := range res.Parts {
		switch t {
		case "message/delivery-status", "message/global-delivery-status", "message/feedback-report",
			"message/disposition-notification", "message/global-disposition-notification":
			s.dsn = true
		case "text/html":
			texts++
			html++
		default:
			if strings.HasPrefix(t, "text/") {
				texts++
			}
		}
	}
	s.htmlOnly = texts > 0 && texts == html
	for _, r := range res.Records {
		if r.Status != "" || r.ReplyCode != "" || r.DiagnosticCode != "" {
			s.diagnostic = true
			break
		}
	}
	if !s.diagnostic && (smtpcode.FindStatus(res.Prose) != "") {
		s.diagnostic = true
	}
	return s
}

// DetectFake says whether res is phishing posing as a bounce or as a
// carrier's, provider's or administrator's notice, and why; nil when it is
// not. It reads the message alone and ours, our mail domains (may be
// empty): no send log, so it can run when the message is taken in, before
// any log is known, and give the same answer whatever comes later.
//
// A message is judged only when it poses as a notice: decoded as a bounce,
// or a mailer-daemon, postmaster, administrator, carrier or provider in
// From or Subject. A notice shaped like a real delivery report (a DSN
// part, a returned message, or a diagnostic an MTA writes) is fake only
// with a hook no mail server adds: an archive or program attached, a link
// outside the returned message that asks to log in, verify or release
// messages or carries the reader's address, a look-alike sender domain or
// failed sender authentication while it returns nothing of ours. A notice
// without any of that shape is fake with any hook: a link to another
// site, such a link even to its own domain, an attachment, phishing
// wording (English, Japanese and a few other languages), HTML only, a
// carrier's or provider's name on a domain that is not theirs, or an
// administrator's name on a domain not ours.
func DetectFake(res *bounce.Result, ours []string) *Fake {
	if res == nil {
		return nil
	}
	d := fakeInput{res: res, ours: normDomains(ours)}
	return d.detect()
}

type fakeInput struct {
	res  *bounce.Result
	ours []string
}

func normDomains(ds []string) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		if d = normDomain(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

func (in fakeInput) isOurs(d string) bool {
	d = normDomain(d)
	if d == "" {
		return false
	}
	for _, o := range in.ours {
		if isSubdomain(d, o) {
			return true
		}
	}
	return false
}

func (in fakeInput) detect() *Fake {
	res := in.res
	o := res.Returned()
	// A notice that returns a message and carries neither a link nor an
	// attachment has nothing a fake could hook the reader with, whatever
	// its sender (see the report-shaped case below): most real bounces.
	if len(res.Links) == 0 && len(res.Attachments) == 0 && returnsMessage(res, o) {
		return nil
	}
	fromDom := domainOf(res.From)
	display := strings.ToLower(displayName(res.From))
	subject := strings.ToLower(res.Subject)
	fromLower := strings.ToLower(res.From)

	// posingAsNotice: it calls itself a mail system's notice; claimed:
	// that, or it decoded as a bounce, or it names a provider (below).
	posingAsNotice := false
	for _, w := range daemonWords {
		if strings.Contains(fromLower, w) || strings.Contains(subject, w) {
			posingAsNotice = true
			break
		}
	}
	claimed := posingAsNotice || res.Kind == bounce.KindBounce

	// Who the sender claims to be, and whether its domain agrees.
	var posing []Item
	skel := "" // the sender domain as it looks, computed once when needed
	lookalike, genuineBrand := false, (*brand)(nil)
	for i := range brands {
		b := &brands[i]
		if inDomains(fromDom, b.domains) {
			genuineBrand = b
			claimed = true
			continue
		}
		// A brand in the display name, or in a Subject that speaks of the
		// mail system ("【docomo】メール送信エラー").
		named := namesBrand(display, b) || posingAsNotice && namesBrand(subject, b)
		if named {
			claimed = true
			posing = append(posing, item(CodeFakeImpersonation, -1,
				fmt.Sprintf("It presents itself as %s but writes from %s, which is not %s's domain", b.name, firstNonEmpty(fromDom, "no domain"), b.name),
				fmt.Sprintf("%s を名乗っていますが、送信元ドメイン %s は %s のものではありません", b.name, firstNonEmpty(fromDom, "（なし）"), b.name)))
		}
		if (posingAsNotice || named) && fromDom != "" && skel == "" && !isAbusedHost(fromDom) {
			skel = labelSkeleton(fromDom)
		}
		if (posingAsNotice || named) && skel != "" && borrowsSkeleton(skel, b.tokens) {
			claimed, lookalike = true, true
			posing = append(posing, item(CodeFakeLookalike, -1,
				fmt.Sprintf("Its sender domain %s imitates %s's name but is not %s's", fromDom, b.name, b.name),
				fmt.Sprintf("送信元ドメイン %s は %s の名前をまねていますが、%s のドメインではありません", fromDom, b.name, b.name)))
		}
	}
	if fromDom != "" && len(in.ours) > 0 && !in.isOurs(fromDom) {
		if it, look, ok := in.posesAsUs(res.From, display, fromDom); ok {
			claimed = true
			lookalike = lookalike || look
			posing = append(posing, it)
		}
	}
	if !claimed {
		return nil
	}

	shape := shapeOf(res, o)
	auth := authFailures(res.Headers, fromDom)
	// From the genuine domain of the provider it names, or from ours, and
	// not found forged by our server: the provider (or we) speaking —
	// its reports with archives attached (DMARC aggregate reports), its
	// own sign-in pages.
	genuine := (genuineBrand != nil || in.isOurs(fromDom)) && len(auth) == 0
	strict := shape.any() || genuine
	// The notice's own text: a returned message quoted inline (its links,
	// its wording) is the sender's, ours perhaps, not the notice's.
	var ownText, quotedText string
	if !strict || len(res.Links) > 0 {
		ownText, quotedText = splitReturned(res.Prose)
	}
	noOurs := !shape.returned || o != nil && len(in.ours) > 0 && !in.returnsOurs(o)

	// Attachments.
	var strong, weak []Item
	for _, t := range res.Attachments {
		t = strings.ToLower(t)
		if strings.HasPrefix(t, "image/") && t != "image/svg+xml" || strings.HasPrefix(t, "message/") ||
			t == "application/pgp-signature" || t == "application/pkcs7-signature" ||
			t == "application/x-pkcs7-signature" || t == "application/ms-tnef" {
			continue
		}
		if genuine {
			continue
		}
		// A program or script is never part of a report; a bare
		// octet-stream or an HTML file is, in a report's shape, too
		// often a mailer's way of attaching anything.
		if contains(dangerousTypes, t) && !(strict && (t == "application/octet-stream" || t == "text/html")) {
			strong = append(strong, item(CodeFakeDangerousAttached, -1,
				fmt.Sprintf("It carries an attachment of type %s, a common way to deliver malware; real delivery notices do not", t),
				fmt.Sprintf("マルウェア配布によく使われる種類（%s）の添付ファイルがあります。本物の配信エラー通知には付きません", t)))
		} else {
			weak = append(weak, item(CodeFakeAttached, -1,
				fmt.Sprintf("It carries an attachment of type %s", t),
				fmt.Sprintf("添付ファイル（%s）があります", t)))
		}
	}

	// Links.
	targets := in.targets()
	var cred, addrLinks, foreign []Item
	for _, l := range res.Links {
		host := linkHost(l)
		if host == "" {
			continue
		}
		abused := isAbusedHost(host)
		help := !abused && isHelpHost(host)
		brandOrg := !abused && genuineBrand != nil && inDomains(host, genuineBrand.domains)
		own := !abused && sameOrganization(host, fromDom)
		if help || brandOrg || genuine && !abused && (own || in.isOurs(host)) {
			continue // the provider's, or our own, site
		}
		if quotedText != "" && strings.Contains(quotedText, l) && !strings.Contains(ownText, l) ||
			shape.returned && o != nil && len(o.Raw) > 0 && bytes.Contains(o.Raw, []byte(l)) {
			continue // the returned message's own link, not the notice's
		}
		if a := carriedAddress(l, targets); a != "" && !unsubscribeLink(l) && len(addrLinks) < 2 {
			addrLinks = append(addrLinks, item(CodeFakeAddressInLink, -1,
				fmt.Sprintf("Its link to %s carries our address %s, to fill in a login form", host, a),
				fmt.Sprintf("リンク（%s）に当方のアドレス %s が埋め込まれています。ログイン画面に入力させる手口です", host, a)))
			continue
		}
		if w := urlAction(l); w != "" && len(cred) < 2 {
			where, whereJa := "another site", "別のサイト"
			if own {
				where, whereJa = "the sender's own domain", "送信元自身のドメイン"
			}
			cred = append(cred, item(CodeFakeCredentialLink, -1,
				fmt.Sprintf("It links to %s (%s) with %q in the address: a page to log in, verify the mailbox or release messages, which no delivery report asks for", host, where, w),
				fmt.Sprintf("リンク先 %s（%s）のアドレスに「%s」があります。ログイン・メールボックスの確認・メールの受け取りを求めるページで、本物の配信レポートはこれを求めません", host, whereJa, w)))
			continue
		}
		if hidden := hiddenTarget(host); hidden != "" && len(cred) < 2 && (!strict || !shape.returned) {
			// A notice that returns nothing, or no report at all, sending
			// the reader somewhere it will not name.
			cred = append(cred, item(CodeFakeHiddenLink, -1,
				fmt.Sprintf("It links to %s, %s, which hides where the link leads", host, hidden),
				fmt.Sprintf("リンク先 %s は%sで、本当の行き先を隠しています", host, map[string]string{"a link shortener": "短縮 URL", "a bare IP address": "IP アドレスだけのもの"}[hidden])))
			continue
		}
		if !own && len(foreign) < 2 {
			foreign = append(foreign, item(CodeFakeForeignLink, -1,
				fmt.Sprintf("It links to %s, which is neither the sender's domain (%s) nor a mail provider's help site", host, firstNonEmpty(fromDom, "none")),
				fmt.Sprintf("リンク先 %s は送信元ドメイン（%s）でもメール事業者のヘルプサイトでもありません", host, firstNonEmpty(fromDom, "なし"))))
		}
	}

	var reasons []Item
	add := func(items ...[]Item) {
		for _, is := range items {
			reasons = append(reasons, is...)
		}
	}
	switch {
	case strict:
		// Shaped like a real report, or from the genuine domain of the
		// provider it names: only what no mail server writes.
		if len(strong)+len(cred)+len(addrLinks) == 0 && !(!shape.returned && (lookalike || len(auth) > 0)) {
			return nil
		}
		add(strong, cred, addrLinks, auth, posing)
	default:
		var wording, html []Item
		if phr := phrasesIn(ownText, actionPhrases, 3); len(phr) > 0 {
			phr = append(phr, phrasesIn(ownText, contextPhrases, 2)...)
			wording = append(wording, item(CodeFakeWording, -1,
				fmt.Sprintf("Its text asks for action as phishing does (%s), with no technical report of a mail server", quoteAll(phr)),
				fmt.Sprintf("本文がフィッシングの典型的な言い回しで操作を求めています（%s）。メールサーバーの技術的な報告がありません", quoteAllJa(phr))))
		}
		if shape.htmlOnly {
			html = append(html, item(CodeFakeHTMLOnly, -1,
				"It is HTML only, with no delivery status report, no returned message and no diagnostic: mail servers write none of their notices like this",
				"HTML だけの通知で、配信状況レポートも返送メッセージもエラーの詳細もありません。メールサーバーはこのような通知を書きません"))
		}
		// What only phishing does counts always; what a newsletter does
		// too (links elsewhere, HTML, pressing words, a brand's name) only
		// once the message calls itself a mail system's notice or its
		// sender domain is a look-alike.
		n := len(strong) + len(cred) + len(addrLinks) + len(auth)
		if posingAsNotice || lookalike {
			n += len(foreign) + len(weak) + len(wording) + len(html) + len(posing)
		}
		if n == 0 {
			return nil
		}
		add(strong, cred, addrLinks, foreign, weak, wording, html, auth, posing)
	}
	f := &Fake{}
	if noOurs {
		en, ja := "It refers to no message of ours", "当方が送信したメッセージを指していません"
		if !shape.returned {
			en, ja = "It returns no original message, so it refers to no message of ours", "元のメッセージが含まれておらず、当方の送信メールを指していません"
		}
		f.Reasons = append(f.Reasons, item(CodeFakeNoMessageOfOurs, -1, en, ja))
	}
	f.Reasons = append(f.Reasons, reasons...)
	return f
}

// posesAsUs reports a sender that signs as the administrator of our mail,
// or uses our domain's name, from a domain not ours; look is set when the
// domain itself borrows our domain's first label.
func (in fakeInput) posesAsUs(from, display, fromDom string) (it Item, look, ok bool) {
	for _, n := range adminNames {
		if strings.Contains(display, n) {
			return item(CodeFakeAdminName, -1,
				fmt.Sprintf("It signs as %q, an administrator of our mail, but writes from %s, not from our domains", displayName(from), fromDom),
				fmt.Sprintf("当方のメール管理者（「%s」）を名乗っていますが、送信元 %s は当方のドメインではありません", displayName(from), fromDom)), false, true
		}
	}
	for _, our := range in.ours {
		look = borrowsOurs(fromDom, our)
		if strings.Contains(display, our) || look {
			return item(CodeFakeAdminName, -1,
				fmt.Sprintf("It uses our domain's name (%s) but writes from %s, which is not ours", our, fromDom),
				fmt.Sprintf("当方のドメイン名（%s）を使っていますが、送信元 %s は当方のものではありません", our, fromDom)), look, true
		}
	}
	return Item{}, false, false
}

// returnedMarkers begin a returned message quoted inline in a notice's
// text (lower case, at the start of a line).
var returnedMarkers = []string{
	"received:", "return-path:", "message-id:", "------ original message", "----- original message",
	"-----original message", "--- original message", "original message follows", "------ this is a copy",
	"--- below this line is a copy", "----- transcript of session", "------ 元のメッセージ", "----- 元のメッセージ",
	"元のメッセージ", "以下、元のメール", "--- 送信したメール", "-------- 元のメール",
}

// splitReturned cuts a notice's text where a returned message quoted
// inline begins.
func splitReturned(prose string) (own, quoted string) {
	for off := 0; off < len(prose); {
		line := prose[off:]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		l := strings.TrimSpace(line)
		for _, m := range returnedMarkers {
			if len(l) >= len(m) && strings.EqualFold(l[:len(m)], m) {
				return prose[:off], prose[off:]
			}
		}
		off += len(line) + 1
	}
	return prose, ""
}

// returnsOurs reports whether the returned message names one of our
// domains where a message of ours would: From, Return-Path, Sender, the
// Message-ID, or a DKIM signature.
func (in fakeInput) returnsOurs(o *bounce.Original) bool {
	if in.isOurs(domainOf(o.From)) || in.isOurs(domainOf(o.ReturnPath)) || in.isOurs(domainOf(o.Sender)) ||
		in.isOurs(domainOf(o.MessageID)) {
		return true
	}
	for _, s := range o.DKIM {
		if in.isOurs(s.Domain) {
			return true
		}
	}
	return false
}

// targets are the addresses the notice was sent to: the reader's, which
// phishing puts in its links to fill in a login form.
func (in fakeInput) targets() []string {
	var out []string
	for _, name := range envelopeHeaders {
		for _, f := range in.res.Headers {
			if strings.EqualFold(f.Name, name) {
				for _, a := range addresses(f.Value) {
					a = strings.ToLower(a)
					if len(a) >= 6 && !contains(out, a) && len(out) < 8 {
						out = append(out, a)
					}
				}
			}
		}
	}
	return out
}

// carriedAddress returns the target address a link carries: as it is,
// URL-encoded, or base64-encoded (standard or URL alphabet) in a path
// segment or query value.
func carriedAddress(link string, targets []string) string {
	if len(targets) == 0 {
		return ""
	}
	lower := strings.ToLower(link)
	cands := []string{lower}
	if u, err := url.QueryUnescape(lower); err == nil && u != lower {
		cands = append(cands, u)
	}
	for _, tok := range strings.FieldsFunc(link, func(r rune) bool {
		return r == '/' || r == '?' || r == '&' || r == '=' || r == '#' || r == ';'
	}) {
		if len(tok) < 8 {
			continue
		}
		if u, err := url.QueryUnescape(tok); err == nil {
			tok = u
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			if b, err := enc.DecodeString(tok); err == nil {
				cands = append(cands, strings.ToLower(string(b)))
				break
			}
		}
	}
	for _, t := range targets {
		for _, c := range cands {
			if strings.Contains(c, t) {
				return t
			}
		}
	}
	return ""
}

// shorteners are link-shortening services: their links hide their
// target. (GoDaddy's x.co and Microsoft's aka.ms, which real notices use
// for help pages, are not listed: they are the providers' own.)
var shorteners = []string{
	"bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
	"cutt.ly", "shorturl.at", "t.ly", "rb.gy", "x.gd", "v.gd", "tiny.cc", "s.id", "shorturl.com",
	"bl.ink", "lnkd.in", "qrco.de", "urlz.fr", "00m.in", "url.ie",
}

// hiddenTarget says why a link's host hides where it leads: a link
// shortener, or a bare IP address; "" when it does not.
func hiddenTarget(host string) string {
	switch {
	case canonIP(host) != "":
		return "a bare IP address"
	case inDomains(host, shorteners):
		return "a link shortener"
	}
	return ""
}

// unsubscribeLink reports a list-management link (RFC 2369, RFC 8058),
// which carries the subscriber's address for a good reason.
func unsubscribeLink(l string) bool {
	l = strings.ToLower(l)
	return strings.Contains(l, "unsubscribe") || strings.Contains(l, "opt-out") || strings.Contains(l, "optout")
}

// urlAction returns the action word in a link's path, query or first host
// label, or "".
func urlAction(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	rest := strings.ToLower(u.EscapedPath() + "?" + u.RawQuery)
	if p, err := url.PathUnescape(rest); err == nil {
		rest = p
	}
	host := strings.ToLower(u.Hostname())
	first, _, _ := strings.Cut(host, ".")
	for _, w := range urlActions {
		if strings.Contains(rest, w) {
			return strings.Trim(w, "/")
		}
		if !strings.HasPrefix(w, "/") && strings.Contains(first, w) {
			return w
		}
	}
	return ""
}

// phrasesIn returns up to max phishing phrases found in s.
func phrasesIn(s string, phrases []string, max int) []string {
	if s == "" {
		return nil
	}
	s = strings.ToLower(width.Fold.String(s))
	s = strings.Join(strings.Fields(s), " ")
	var out []string
	for _, p := range phrases { // written lower case and folded
		if strings.Contains(s, p) {
			out = append(out, p)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

func quoteAll(ps []string) string {
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = "“" + p + "”"
	}
	return strings.Join(q, ", ")
}

func quoteAllJa(ps []string) string {
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = "「" + p + "」"
	}
	return strings.Join(q, "")
}

// namesBrand reports whether s (lower case) names the brand: a name of
// more than three letters anywhere, a shorter one as a whole word.
func namesBrand(s string, b *brand) bool {
	for _, n := range b.names {
		if len(n) > 3 || !isASCII(n) {
			if strings.Contains(s, n) {
				return true
			}
			continue
		}
		if containsWord(s, n) {
			return true
		}
	}
	return false
}

// borrowsToken reports whether a domain's labels (left of its public
// suffix), as they look (skeleton), contain one of the tokens:
// "docomo-mail-center.example", "secure-outlook365.example",
// "rnicrosoft-online.example".
func borrowsToken(dom string, tokens []string) bool {
	return borrowsSkeleton(labelSkeleton(dom), tokens)
}

// labelSkeleton is the skeleton of a domain's labels left of its public
// suffix.
func labelSkeleton(dom string) string {
	labels := dom
	if suf, _ := publicsuffix.PublicSuffix(dom); suf != "" && suf != dom {
		labels = strings.TrimSuffix(dom, "."+suf)
	}
	return skeleton(labels)
}

func borrowsSkeleton(skel string, tokens []string) bool {
	for _, t := range tokens {
		if strings.Contains(skel, t) {
			return true
		}
	}
	return false
}

// skeleton maps a domain to what it looks like: an internationalised
// name to Unicode (RFC 5891), letters that look Latin (Cyrillic, Greek,
// full-width) to their Latin twins, and the classic swaps — "rn" for "m",
// "vv" for "w", 0 1 3 5 for o l e s — so that "rnicrosoft", "g00gle" and
// "dосomо" (Cyrillic о) borrow their brands' names as plainly as
// "docomo-support" does (Unicode TR 39's confusables, the common part).
func skeleton(dom string) string {
	if u, err := idna.ToUnicode(dom); err == nil {
		dom = u
	}
	dom = strings.ToLower(width.Fold.String(dom))
	var b strings.Builder
	for _, r := range dom {
		if l, ok := confusables[r]; ok {
			r = l
		}
		b.WriteRune(r)
	}
	return lookalikeSwaps.Replace(b.String())
}

// lookalikeSwaps are the letter swaps of skeleton (a Replacer is safe for
// concurrent use and never changes).
var lookalikeSwaps = strings.NewReplacer("rn", "m", "vv", "w", "0", "o", "1", "l", "3", "e", "5", "s")

// confusables are Cyrillic and Greek letters that look Latin.
var confusables = map[rune]rune{
	'а': 'a', 'с': 'c', 'е': 'e', 'һ': 'h', 'і': 'i', 'ј': 'j', 'ӏ': 'l', 'о': 'o', 'р': 'p', 'ԛ': 'q',
	'ѕ': 's', 'ԝ': 'w', 'х': 'x', 'у': 'y', 'ԁ': 'd', 'ɡ': 'g', 'ı': 'i',
	'α': 'a', 'ε': 'e', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x',
}

// inDomains reports whether host is one of ds or below one.
func inDomains(host string, ds []string) bool {
	if host == "" {
		return false
	}
	for _, d := range ds {
		if strings.HasSuffix(host, d) && (len(host) == len(d) || host[len(host)-len(d)-1] == '.') {
			return true
		}
	}
	return false
}

// borrowsOurs reports whether a domain not ours borrows our domain's name
// whole: "example-jp.mailbox-release.example", "examplejp-support.example",
// "example.jp.login-check.example".
func borrowsOurs(dom, our string) bool {
	if dom == "" || strings.Count(our, ".") == 0 {
		return false
	}
	return strings.Contains(dom, strings.ReplaceAll(our, ".", "-")) ||
		strings.Contains(dom, strings.ReplaceAll(our, ".", "")) ||
		strings.HasPrefix(dom, our+".") || strings.Contains(dom, "."+our+".")
}

// displayName returns the display name of a From value, unquoted.
func displayName(from string) string {
	i := strings.LastIndexByte(from, '<')
	if i < 0 {
		// "addr (Name)" form.
		if j := strings.IndexByte(from, '('); j >= 0 {
			return strings.Trim(from[j:], "() \t")
		}
		return ""
	}
	return strings.Trim(strings.TrimSpace(from[:i]), `"' `)
}

func containsWord(s, w string) bool {
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return false
		}
		i += off
		before := i == 0 || !isWordByte(s[i-1])
		after := i+len(w) == len(s) || !isWordByte(s[i+len(w)])
		if before && after {
			return true
		}
		off = i + len(w)
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
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

func isHelpHost(h string) bool { return inDomains(h, helpDomains) }

func isAbusedHost(h string) bool { return inDomains(h, abusedHosts) }

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
