package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// The simulated site.
const (
	Domain   = "example.jp"      // our mail domain
	MailHost = "mail"            // our server's syslog host name
	MailFQDN = "mail.example.jp" // and its name in Received fields
	MailIP   = "192.0.2.25"
)

// mta is the mail software of a remote system: it decides how the system
// answers in the SMTP dialogue and how it writes a bounce when it accepted
// a message it cannot deliver.
type mta uint8

const (
	mtaPostfix mta = iota
	mtaSendmail
	mtaExim
	mtaQmail
	mtaM365
	mtaGmail
	mtaYahooJP
	mtaDocomo
	mtaAU
	mtaSoftBank
)

// remote is a recipient domain and the system that receives its mail.
type remote struct {
	domain string
	mx     string // host name of the MX
	ip     string
	mta    mta
	zone   *time.Location // the clock its bounces are dated with
}

// client is a host that connects to our submission port.
type client struct {
	host string // reverse DNS name, or "unknown"
	ip   string
	helo string
}

// account is one mailbox of ours and how its owner uses it.
type account struct {
	addr    string // SASL login and envelope sender
	name    string // display name
	clients []client
	regular []string // correspondents
	bad     map[string]badAddr
	perHour float64 // messages per working hour
	pickup  float64 // share of its mail sent by the web shop (Postfix pickup, uid 33)
	mua     string  // Thunderbird or Outlook
	mailbox string  // the address whose mailbox receives its bounces (an alias may point elsewhere)
}

// badAddr is a correspondent whose mail always fails, and how.
type badAddr struct {
	why   why
	later bool // the remote accepts, then bounces (else refuses in the dialogue)
}

// why is the cause of a failure.
type why uint8

const (
	whyUnknown why = iota // the mailbox does not exist
	whyFull               // the mailbox is full
	whySpam               // refused as spam or for the server's reputation
	whyHost               // the domain does not exist
)

// world is the state of one simulation: the random source, the clock's
// zone, the log and the mailbox being written, and the counters.
type world struct {
	rng  *rand.Rand
	loc  *time.Location
	log  *logSink
	box  *mailbox
	exim bool // our server runs Exim (mainlog) instead of Postfix
	// hosted, when set, is a provider's server our accounts submit
	// through instead (bouncesonly.go): no log of it is written.
	hosted *hostedServer
	// forgeMID, when set, is the Message-ID form forged mail imitates
	// (ours), in place of the botnet's own.
	forgeMID func(time.Time) string
	// forgeTrace, when set, writes trace fields forged mail carries
	// beneath the bot's own hop (a forged hop through our relay).
	forgeTrace func(m *message, at time.Time)
	lmtp       bool // Postfix hands local mail to Dovecot over LMTP
	inode      uint32
	pidNext    int
	remotes    map[string]*remote
	// aliases maps an address of ours to the mailbox that receives it.
	aliases map[string]string
	stats   Stats
	// firstSpam is when an intruder's first message was submitted: the
	// ground truth of the onset.
	firstSpam time.Time
	err       error // the first error writing the mailbox
	// sessions are the open submission connections of bulk mailers, by
	// client address.
	sessions map[string]*session
}

// Stats counts what a scenario holds.
type Stats struct {
	Sent         int // messages our server accepted from our accounts
	Spam         int // of them, sent by an intruder
	Bounces      int // bounce messages in the mailbox
	BouncesOurs  int // of them, for mail our server sent
	Backscatter  int // of them, for forged mail
	Fakes        int // fake notices (phishing) in the mailbox
	Inbound      int // other mail received (log only)
	AuthFailures int
	LogLines     int
}

func newWorld(seed uint64, loc *time.Location) *world {
	w := &world{
		rng:      rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		loc:      loc,
		pidNext:  12000,
		remotes:  make(map[string]*remote),
		aliases:  make(map[string]string),
		sessions: make(map[string]*session),
	}
	w.inode = uint32(w.rng.IntN(1 << 16))
	w.addProviders()
	return w
}

// zones the remote systems date their bounces in.
func zone(name string, offset int) *time.Location {
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.FixedZone(name, offset)
}

// addProviders registers the big mailbox providers a Japanese shop's
// customers use.
func (w *world) addProviders() {
	tokyo := w.loc
	utc := time.UTC
	pst := zone("America/Los_Angeles", -8*3600)
	for _, r := range []remote{
		{"gmail.com", "gmail-smtp-in.l.google.com", "192.0.2.141", mtaGmail, pst},
		{"googlemail.com", "gmail-smtp-in.l.google.com", "192.0.2.141", mtaGmail, pst},
		{"yahoo.co.jp", "mx.mail.yahoo.co.jp", "192.0.2.150", mtaYahooJP, tokyo},
		{"ymail.ne.jp", "mx.mail.yahoo.co.jp", "192.0.2.150", mtaYahooJP, tokyo},
		{"docomo.ne.jp", "mfsmax.docomo.ne.jp", "192.0.2.160", mtaDocomo, tokyo},
		{"ezweb.ne.jp", "lsean.ezweb.ne.jp", "192.0.2.161", mtaAU, tokyo},
		{"au.com", "lsean.ezweb.ne.jp", "192.0.2.161", mtaAU, tokyo},
		{"softbank.ne.jp", "mx.softbank.ne.jp", "192.0.2.162", mtaSoftBank, tokyo},
		{"i.softbank.jp", "mx.i.softbank.jp", "192.0.2.163", mtaSoftBank, tokyo},
		{"outlook.jp", "outlook-jp.olc.protection.outlook.com", "192.0.2.170", mtaM365, utc},
		{"hotmail.co.jp", "hotmail-co-jp.olc.protection.outlook.com", "192.0.2.171", mtaM365, utc},
		{"outlook.com", "outlook-com.olc.protection.outlook.com", "192.0.2.172", mtaM365, utc},
		{"icloud.com", "mx01.mail.icloud.com", "192.0.2.180", mtaPostfix, pst},
		{"nifty.com", "mx.nifty.com", "192.0.2.185", mtaPostfix, tokyo},
		{"biglobe.ne.jp", "mx.biglobe.ne.jp", "192.0.2.186", mtaSendmail, tokyo},
	} {
		w.remotes[r.domain] = &r
	}
}

// businessWords make the names of the businesses our accounts trade with.
var businessWords = []string{
	"yamada-shoji", "kobe-trading", "sakura-design", "tokyo-kikaku", "osaka-seimitsu", "nagoya-foods",
	"hokuto-kensetsu", "minato-print", "aozora-net", "kitahama-shokai", "fuji-logistics", "midori-farm",
	"sunrise-hotel", "kawasaki-denki", "nishijin-ori", "umeda-clinic", "shinsei-auto", "hanamizuki",
	"kyoto-ceramics", "sendai-suisan", "hakata-ramen", "chiba-golf", "yokohama-port", "ginza-gallery",
	"tenjin-books", "sapporo-beer-hall", "okinawa-resort", "matsumoto-wine", "toyama-pharma", "kanazawa-kogei",
	"hiroshima-steel", "nara-deer-park", "mito-natto", "kochi-fishery", "gifu-cutlery", "shizuoka-tea",
	"numazu-marine", "takasaki-daruma", "otaru-glass", "ise-pearl", "himeji-leather", "beppu-onsen",
	"akita-rice", "aomori-apple", "kagoshima-shochu", "tottori-sand", "fukui-eyewear", "saga-ware",
}

// businessDomain returns the remote of the business named by word, making
// it the first time: its mail system is one of the common ones.
func (w *world) businessDomain(word string, n int) *remote {
	tld := []string{"example.com", "example.net", "example.org"}[n%3]
	d := word + "." + tld
	if r, ok := w.remotes[d]; ok {
		return r
	}
	kinds := []mta{mtaPostfix, mtaPostfix, mtaSendmail, mtaExim, mtaExim, mtaQmail, mtaM365, mtaM365}
	k := kinds[(n*7+len(word))%len(kinds)]
	r := &remote{domain: d, mta: k, zone: w.loc, ip: fmt.Sprintf("198.51.100.%d", 10+(n*37)%230)}
	switch k {
	case mtaM365:
		r.mx = strings.ReplaceAll(d, ".", "-") + ".mail.protection.outlook.com"
		r.zone = time.UTC
	case mtaQmail:
		r.mx = "mx1." + d
	default:
		r.mx = "mail." + d
	}
	if n%5 == 4 {
		r.zone = zone("Asia/Shanghai", 8*3600) // some have their servers abroad
	}
	w.remotes[d] = r
	return r
}

// remoteOf returns the remote system of an address.
func (w *world) remoteOf(addr string) *remote {
	d := addr[strings.LastIndexByte(addr, '@')+1:]
	if r, ok := w.remotes[d]; ok {
		return r
	}
	// An unknown domain: a small business on Postfix.
	r := &remote{domain: d, mx: "mail." + d, ip: "198.51.100.250", mta: mtaPostfix, zone: w.loc}
	w.remotes[d] = r
	return r
}

// --- random helpers ---

func (w *world) pick(ss []string) string { return ss[w.rng.IntN(len(ss))] }

func (w *world) chance(p float64) bool { return w.rng.Float64() < p }

// poisson draws from a Poisson distribution of mean m (Knuth; m is small).
func (w *world) poisson(m float64) int {
	if m <= 0 {
		return 0
	}
	if m > 30 {
		n := int(math.Round(m + math.Sqrt(m)*w.rng.NormFloat64()))
		return max(n, 0)
	}
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		p *= w.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// within returns a random time in [t, t+d).
func (w *world) within(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	return t.Add(time.Duration(w.rng.Int64N(int64(d))))
}

// secs returns a random duration between lo and hi seconds, with
// microseconds (log times carry them in ISO style).
func (w *world) secs(lo, hi float64) time.Duration {
	return time.Duration((lo + (hi-lo)*w.rng.Float64()) * float64(time.Second))
}

func (w *world) hex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[w.rng.IntN(16)]
	}
	return string(b)
}

func (w *world) upperHex(n int) string { return strings.ToUpper(w.hex(n)) }

func (w *world) alnum(n int) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[w.rng.IntN(len(digits))]
	}
	return string(b)
}

func (w *world) uuid() string {
	h := w.hex(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}

// pid returns a fresh process ID (a new smtpd for each connection).
func (w *world) pid() int {
	w.pidNext += 1 + w.rng.IntN(40)
	if w.pidNext > 4190000 {
		w.pidNext = 3000
	}
	return w.pidNext
}

// poolPID returns the process ID of a long-running daemon of a kind
// (cleanup, smtp, local): a few processes that are replaced now and then.
func poolPID(base int, t time.Time, n int) int {
	slot := int(t.Unix()/600) % 1000
	return base + slot*7 + int(t.Unix()%int64(n))
}

// postfixQID returns a Postfix short queue ID: the microseconds of the
// time in 5 hex digits, then the queue file's inode number in hex.
func (w *world) postfixQID(t time.Time) string {
	w.inode = (w.inode + 1 + uint32(w.rng.IntN(3))) & 0xFFFFF
	if w.inode < 0x10000 {
		w.inode += 0x10000
	}
	return fmt.Sprintf("%05X%05X", t.Nanosecond()/1000&0xFFFFF, w.inode)
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func b62(v int64, n int) string {
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = base62[v%62]
		v /= 62
	}
	return string(b)
}

// eximID returns an Exim message ID for time t: seconds, process ID and
// a fraction of the second, in base 62 (6-6-2).
func (w *world) eximID(t time.Time) string {
	return b62(t.Unix(), 6) + "-" + b62(int64(w.pid()), 6) + "-" + b62(int64(t.Nanosecond()/1000/500%3844), 2)
}

// rfc5322 writes a Date header value as mail software does, in zone z.
func rfc5322(t time.Time, z *time.Location) string {
	return t.In(z).Format("Mon, 2 Jan 2006 15:04:05 -0700")
}

// postfixDate is the date Postfix writes in Received and in its notices:
// day of month space-padded, and the zone's abbreviation.
func postfixDate(t time.Time, z *time.Location) string {
	return t.In(z).Format("Mon, _2 Jan 2006 15:04:05 -0700 (MST)")
}

// localPart makes a plausible mailbox name.
var givenNames = []string{"taro", "hanako", "kenji", "yuki", "sakura", "hiroshi", "akiko", "daisuke", "mai", "shota",
	"naoko", "takeshi", "emi", "ryo", "kaori", "yusuke", "aya", "kazuki", "miho", "tomoya", "rina", "haruto", "yui", "sota"}
var familyNames = []string{"tanaka", "suzuki", "sato", "takahashi", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi",
	"kato", "yoshida", "yamada", "sasaki", "yamaguchi", "matsumoto", "inoue", "kimura", "hayashi", "shimizu", "mori"}

func (w *world) localPart() string {
	g, f := w.pick(givenNames), w.pick(familyNames)
	switch w.rng.IntN(6) {
	case 0:
		return g + "." + f
	case 1:
		return f + "-" + g
	case 2:
		return g + fmt.Sprint(w.rng.IntN(100))
	case 3:
		return g[:1] + f + fmt.Sprint(1960+w.rng.IntN(50))
	case 4:
		return f + "_" + g[:1] + fmt.Sprint(w.rng.IntN(1000))
	}
	return g + "-" + f + "." + w.alnum(3)
}

// consumerDomains are where a shop's customers and a spam run's targets
// have their mailboxes, weighted by repetition.
var consumerDomains = []string{
	"gmail.com", "gmail.com", "gmail.com", "gmail.com", "yahoo.co.jp", "yahoo.co.jp", "yahoo.co.jp",
	"docomo.ne.jp", "docomo.ne.jp", "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp",
	"outlook.jp", "hotmail.co.jp", "outlook.com", "icloud.com", "nifty.com", "biglobe.ne.jp", "ymail.ne.jp",
}

// randomAddress is an address a spammer's list holds: consumer mailboxes
// and businesses, many of them long gone.
func (w *world) randomAddress() string {
	if w.chance(0.25) {
		n := w.rng.IntN(len(businessWords))
		r := w.businessDomain(businessWords[n], n)
		return w.pick([]string{"info", "sales", "contact", "support", "admin", "office", w.localPart()}) + "@" + r.domain
	}
	return w.localPart() + "@" + w.pick(consumerDomains)
}
