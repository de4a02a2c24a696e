package scenario

import (
	"encoding/base64"
	"fmt"
	"mime"
	"strings"
	"time"
)

// message is one mail message as it travels: the fields its author's
// program wrote, and the trace fields (Received, Return-Path) and
// signatures servers added on the way, newest first.
type message struct {
	fromName string
	from     string // header From address
	to       string
	subject  string // decoded
	date     time.Time
	zone     *time.Location
	mid      string // Message-ID without brackets; "" when none was written
	midAdded bool   // the Message-ID was added by our Postfix (cleanup), written as "Message-Id"
	mailer   string // "User-Agent: …" or "X-Mailer: …" line, or ""
	body     string // UTF-8 text
	html     bool

	trace []string // "Name: value" fields added in transit, newest first
}

// addTrace puts a trace field (Received, DKIM-Signature, Return-Path) on
// top, as a server does.
func (m *message) addTrace(field string) {
	m.trace = append([]string{field}, m.trace...)
}

// clone copies m so that one recipient's copy can gather its own trace.
func (m *message) clone() *message {
	c := *m
	c.trace = append([]string(nil), m.trace...)
	return &c
}

// encodeWord writes a header text as RFC 2047 encoded words when it is not
// ASCII (B encoding, UTF-8, as Thunderbird and most programs do).
func encodeWord(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return mime.BEncoding.Encode("UTF-8", s)
		}
	}
	return s
}

func (m *message) fromField() string {
	if m.fromName == "" {
		return m.from
	}
	return encodeWord(m.fromName) + " <" + m.from + ">"
}

// header returns the header block, with its final empty line.
func (m *message) header() string {
	var b strings.Builder
	for _, f := range m.trace {
		b.WriteString(f)
		b.WriteByte('\n')
	}
	if m.mid != "" && !m.midAdded {
		fmt.Fprintf(&b, "Message-ID: <%s>\n", m.mid)
	}
	fmt.Fprintf(&b, "Date: %s\n", rfc5322(m.date, m.zone))
	if m.mailer != "" {
		b.WriteString(m.mailer)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "From: %s\n", m.fromField())
	fmt.Fprintf(&b, "To: %s\n", m.to)
	fmt.Fprintf(&b, "Subject: %s\n", encodeWord(m.subject))
	b.WriteString("MIME-Version: 1.0\n")
	if m.html {
		b.WriteString("Content-Type: text/html; charset=UTF-8\n")
	} else {
		b.WriteString("Content-Type: text/plain; charset=UTF-8; format=flowed\n")
	}
	b.WriteString("Content-Transfer-Encoding: base64\n")
	if m.midAdded {
		fmt.Fprintf(&b, "Message-Id: <%s>\n", m.mid)
	}
	b.WriteByte('\n')
	return b.String()
}

// bytes returns the whole message.
func (m *message) bytes() []byte {
	return []byte(m.header() + wrapBase64(m.body))
}

// headerBytes returns the header block only, as text/rfc822-headers does.
func (m *message) headerBytes() []byte { return []byte(m.header()) }

func wrapBase64(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteByte('\n')
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	return b.String()
}

// --- what our accounts write ---

const (
	uaThunderbird = "User-Agent: Mozilla Thunderbird"
	uaOutlook     = "X-Mailer: Microsoft Outlook 16.0"
	uaPHP         = "X-Mailer: PHP/8.2.7"
)

// businessMail is an everyday message of one of our accounts.
func (w *world) businessMail(a *account, to string, at time.Time) *message {
	subjects := []string{
		"Re: お見積りの件", "納品日のご相談", "Re: 打ち合わせ日程について", "請求書送付のご案内（%d月分）",
		"資料送付の件", "Re: Re: 在庫の確認", "発注書をお送りします（No.%d）", "お問い合わせありがとうございます",
		"Re: 商品の仕様について", "年末年始の営業日のお知らせ", "Quotation request #%d", "Re: Shipping schedule",
	}
	s := w.pick(subjects)
	if strings.Contains(s, "%d") {
		if strings.Contains(s, "月分") {
			s = fmt.Sprintf(s, int(at.Month()))
		} else {
			s = fmt.Sprintf(s, 1000+w.rng.IntN(9000))
		}
	}
	m := &message{
		fromName: a.name, from: a.addr, to: to, subject: s, date: at, zone: w.loc,
		body: "いつもお世話になっております。\n" + a.name + "です。\n\nご確認のほど、よろしくお願いいたします。\n\n--\n" + a.name + "\n" + a.addr + "\n",
	}
	switch a.mua {
	case "outlook":
		m.mailer = uaOutlook
		m.mid = fmt.Sprintf("0000%s$%s$%s$@%s", w.hex(8), w.hex(8), w.hex(8), Domain)
	default:
		m.mailer = uaThunderbird
		m.mid = w.uuid() + "@" + Domain
	}
	return m
}

// orderMail is what the web shop sends through Postfix pickup: no
// Message-ID of its own (Postfix adds one) and no User-Agent.
func (w *world) orderMail(a *account, to string, at time.Time) *message {
	n := 240000 + w.rng.IntN(9999)
	s := w.pick([]string{"ご注文ありがとうございます（注文番号: %d）", "発送のお知らせ（注文番号: %d）", "ご入金確認のお知らせ（注文番号: %d）"})
	return &message{
		fromName: a.name, from: a.addr, to: to, subject: fmt.Sprintf(s, n), date: at, zone: w.loc, mailer: uaPHP,
		body: fmt.Sprintf("この度はご注文いただき誠にありがとうございます。\n注文番号: %d\n\n%s\n", n, a.name),
	}
}

// spamSubjects are campaigns an intruder runs through a stolen account;
// each run uses a few of them.
var spamSubjects = []string{
	"【重要】アカウントの確認が必要です（%d）",
	"【緊急】お支払い方法の更新のお願い",
	"ETC利用照会サービス 停止のお知らせ",
	"【カード会社】ご利用確認のお願い No.%d",
	"お荷物のお届けについて（不在通知 %d）",
	"限定セール 最大%d%%OFF 本日限り",
	"Your parcel could not be delivered - action required #%d",
	"Invoice %d is overdue",
	"You have (%d) unread messages",
	"Re: your order %d",
	"Make $%d a day from home",
	"Urgent: verify your mailbox before it is closed",
}

// spamLinks are the places spam sends its readers to.
var spamLinks = []string{
	"https://account-verify-%s.example/login", "http://%s.example/jp/delivery?id=%d",
	"https://secure-%s.example/card/confirm", "http://bit-%s.example/%d",
}

// spamMail is one message of an intruder's run, written by the intruder's
// bulk mailer: forms of its own, and sometimes no Message-ID at all.
func (w *world) spamMail(from string, to string, at time.Time, campaign []string) *message {
	s := w.pick(campaign)
	if strings.Count(s, "%") > strings.Count(s, "%%") {
		s = fmt.Sprintf(s, 10+w.rng.IntN(99990))
	} else {
		s = strings.ReplaceAll(s, "%%", "%")
	}
	link := w.pick(spamLinks)
	if strings.Contains(link, "%d") {
		link = fmt.Sprintf(link, w.alnum(6), w.rng.IntN(1000000))
	} else {
		link = fmt.Sprintf(link, w.alnum(6))
	}
	m := &message{
		from: from, to: to, subject: s, date: at, zone: w.loc, html: w.chance(0.5),
		body: "ご確認ください / Please confirm:\n" + link + "\n",
	}
	if m.html {
		m.body = `<html><body><p>ご確認ください。</p><p><a href="` + link + `">` + link + `</a></p></body></html>`
	}
	switch w.rng.IntN(4) {
	case 0:
		m.fromName = w.pick([]string{"Amazon", "カスタマーサポート", "Support Team", "事務局"})
		m.mid = fmt.Sprintf("%s.%s@%s", w.hex(16), w.hex(8), Domain)
	case 1:
		m.mid = fmt.Sprintf("%d.%s@%s", at.UnixMilli(), w.alnum(10), Domain)
		m.mailer = "X-Mailer: Foxmail 7.2.25.375"
	case 2:
		m.mid = "" // Postfix adds one
	default:
		m.fromName = strings.Split(from, "@")[0]
		m.mid = fmt.Sprintf("%s@%s", w.upperHex(20), Domain)
	}
	return m
}

// forgedMail is spam a botnet sends with our address forged in From and
// the envelope: Message-IDs and programs of its own, never through us.
func (w *world) forgedMail(from string, to string, at time.Time, campaign []string) (*message, client) {
	m := w.spamMail(from, to, at, campaign)
	m.midAdded = false
	switch w.rng.IntN(5) {
	case 0:
		m.mid = fmt.Sprintf("000%s$%s$%s$@%s", w.hex(9), w.hex(8), w.hex(8), Domain)
		m.mailer = "X-Mailer: Microsoft Outlook 15.0"
	case 1:
		m.mid = fmt.Sprintf("%s@%s", strings.ToUpper(w.uuid()), w.pick([]string{"mail.yhdrz.cn", "smtp.krsk-net.ru", "localhost"}))
	case 2:
		m.mid = fmt.Sprintf("%s.%s.%s@%s", w.alnum(7), w.alnum(5), w.alnum(4), Domain)
	case 3:
		m.mid = fmt.Sprintf("%d%s@%s", 100000+w.rng.IntN(900000), w.alnum(3), w.pick([]string{"DESKTOP-4KQ1N2B", "WIN-8R2TQ0L7C1M", "user-PC"}))
	default:
		m.mid = fmt.Sprintf("%s$%s@%s", w.alnum(12), w.hex(6), Domain)
	}
	if w.forgeMID != nil {
		m.mid = w.forgeMID(at)
	}
	// Botnet clocks are often off and their zones arbitrary.
	m.zone = w.pick2Zone()
	m.date = at.Add(time.Duration(w.rng.IntN(600)-300) * time.Second)
	if w.chance(0.3) {
		m.fromName = w.pick([]string{"Shop", "example.jp", "Customer Service", "ショップ"})
	}
	bot := w.botClient()
	if w.forgeTrace != nil {
		w.forgeTrace(m, at)
	}
	if w.chance(0.3) {
		// Some bots write a trace field of their own first.
		m.addTrace(fmt.Sprintf("Received: from [10.%d.%d.%d] by %s with HTTP; %s", w.rng.IntN(255), w.rng.IntN(255), 1+w.rng.IntN(250), bot.helo, rfc5322(m.date, m.zone)))
	}
	return m, bot
}

func (w *world) pick2Zone() *time.Location {
	switch w.rng.IntN(4) {
	case 0:
		return time.UTC
	case 1:
		return zone("Europe/Moscow", 3*3600)
	case 2:
		return zone("America/Sao_Paulo", -3*3600)
	}
	return w.loc
}

// botClient is an infected machine somewhere (RFC 2544 benchmarking
// addresses, many networks).
func (w *world) botClient() client {
	a, b2, c := 18+w.rng.IntN(2), w.rng.IntN(256), 1+w.rng.IntN(254)
	ip := fmt.Sprintf("198.%d.%d.%d", a, b2, c)
	host := "unknown"
	if w.chance(0.6) {
		host = fmt.Sprintf("%s-%d-%d-%d.%s", w.pick([]string{"dynamic", "pool", "host", "dsl", "ppp"}), a, b2, c,
			w.pick([]string{"vnpt.example.vn", "telecom.example.br", "rostelecom.example.ru", "dyn.example.in", "cable.example.mx"}))
	}
	helo := host
	if host == "unknown" || w.chance(0.4) {
		helo = w.pick([]string{"User", "DESKTOP-", "WIN-", "localhost"}) + w.upperHex(6)
	}
	return client{host: host, ip: ip, helo: helo}
}
