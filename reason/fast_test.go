package reason

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The differential tests: Classify (one automaton scan, see bank) must
// decide exactly as classifySlow, which matches every phrase of every table
// with strings.Contains as Classify did before the automaton.

func classifySlow(f Facts) Reason { return classify(f, true) }

func fromTextSlow(text string) Reason { return fromText(text, true) }

// normalizeRef is normalize as it was written first, byte by byte: the
// reference for the faster one.
func normalizeRef(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			space = true
			continue
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

func TestNormalize(t *testing.T) {
	cases := []string{
		"", " ", "  \t\r\n ", "a", "A", " a", "a ", " a ", "a  b", "a \tb", "a\nb", "A B",
		"already normalized text", "Mixed Case  and\r\n\tfolds ", "\tlead", "trail\n",
		"x ", "x  ", "ab CD ef", "日本語 テキスト", "a\x00b", "a \v b", "a\fb",
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	alphabet := "aZ \t\r\n.<@é"
	for i := 0; i < 20000; i++ {
		b := make([]byte, rnd.IntN(12))
		for k := range b {
			b[k] = alphabet[rnd.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := normalize(s), normalizeRef(s); got != want {
			t.Errorf("normalize(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	f.Add("Mixed Case  and\r\n\tfolds ")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalize(s), normalizeRef(s); got != want {
			t.Fatalf("normalize(%q) = %q, want %q", s, got, want)
		}
	})
}

// corpusDir holds sisimai's sample bounces, read in place.
const corpusDir = "/work/shared/corpus/sisimai/eml"

// tablePhrases returns every phrase of every table (phrase tables, command
// hints, host rules), read from the tables themselves, not from bank, and the
// seq entries of the phrase tables.
func tablePhrases() (all []string, seqs [][]string) {
	seen := map[string]bool{}
	addp := func(p string) {
		if !seen[p] {
			seen[p] = true
			all = append(all, p)
		}
	}
	for _, r := range All {
		p := phraseTable[r]
		if p == nil {
			continue
		}
		for _, s := range p.unless {
			addp(s)
		}
		for _, s := range p.any {
			addp(s)
		}
		for _, q := range p.seq {
			seqs = append(seqs, q)
			for _, s := range q {
				addp(s)
			}
		}
	}
	for _, h := range commandHints {
		addp(h.phrase)
	}
	for _, rules := range ruleTables {
		for _, r := range rules {
			addp(r.phrase)
		}
	}
	for _, r := range microsoftRules {
		addp(r.phrase)
	}
	return all, seqs
}

// remoteHosts returns one host name for each provider, and none.
func remoteHosts() []string {
	hosts := []string{""}
	for _, p := range providers {
		s := p.suffixes[0]
		if strings.HasPrefix(s, ".") {
			s = "mx1" + s
		}
		hosts = append(hosts, "dns; "+s+" [192.0.2.1]")
	}
	return hosts
}

var (
	diffStatuses  = []string{"", "5.0.0", "5.1.1", "4.2.2", "5.7.1", "5.2.1", "4.4.7", "5.1.2", "5.7.26"}
	diffDiagTypes = []string{"SMTP", "", "X-Unix"} // "X-Postfix" is as ""
	diffCommands  = []string{"", "RCPT", "MAIL", "DATA", "EHLO"}
	diffHostStats = []string{"", "5.1.1"}
)

// checkSame compares Classify with classifySlow on text under every
// combination of status, diagnostic type and command, and under every
// provider's host with a few status codes; and FromText with fromTextSlow.
// It returns the number of comparisons.
func checkSame(t *testing.T, text string, hosts []string) int {
	t.Helper()
	n := 0
	norm := normalize(text)
	if want := normalizeRef(text); norm != want {
		t.Errorf("normalize(%q) = %q, want %q", text, norm, want)
	}
	// the scan against strings.Contains, phrase by phrase and table by table
	var h hits
	bank.scan(norm, &h)
	for id, p := range bank.phrases {
		if got, want := h.has(int32(id)), strings.Contains(norm, p); got != want {
			t.Errorf("scan says %v for %q in %q, strings.Contains %v", got, p, norm, want)
		}
	}
	for i, r := range All {
		if p := phraseTable[r]; p != nil {
			n++
			if got, want := bank.says(i, norm, &h), p.match(norm); got != want {
				t.Errorf("table %s: %v, match %v for %q", r, got, want, norm)
			}
		}
	}
	same := func(f Facts) {
		n++
		if got, want := Classify(f), classifySlow(f); got != want {
			t.Errorf("Classify = %q, classifySlow = %q for %+v", got, want, f)
		}
	}
	for _, st := range diffStatuses {
		for _, dt := range diffDiagTypes {
			for _, cmd := range diffCommands {
				same(Facts{Status: st, DiagnosticType: dt, Command: cmd, Diagnostic: text})
			}
		}
	}
	for _, h := range hosts[1:] {
		for _, st := range diffHostStats {
			same(Facts{Status: st, DiagnosticType: "SMTP", RemoteMTA: h, Diagnostic: text})
		}
		// the provider found by the reporting host and by the recipient's
		// domain (the host name without its first label)
		dom := hostName(h)
		if i := strings.IndexByte(dom, '.'); i >= 0 {
			dom = dom[i+1:]
		}
		same(Facts{ReplyCode: "542", DiagnosticType: "SMTP", ReportingMTA: h, RecipientDomain: dom, Command: "DATA", Status: "5.0.0", Diagnostic: text})
	}
	// a weak reason from a recogniser, and an action
	same(Facts{Reason: UserUnknown, Status: "5.1.1", Command: "RCPT", Diagnostic: text})
	same(Facts{Action: "delayed", Status: "4.0.0", Diagnostic: text})
	n++
	if got, want := FromText(text), fromTextSlow(text); got != want {
		t.Errorf("FromText = %q, fromTextSlow = %q for %q", got, want, text)
	}
	return n
}

// fillers put a phrase in the kind of text it comes in.
var fillers = []struct{ before, after string }{
	{"", ""},
	{"host mx.example.jp[192.0.2.1] said: 550 5.1.1 <kijitora@example.jp>: ", " (in reply to RCPT TO command)"},
	{"554 ", "."},
	{"SMTP error from remote mail server after end of data:\n    ", "\n    see https://example.org/help"},
	{"x", "x"},
}

func TestFastPhrases(t *testing.T) {
	t.Parallel()
	all, seqs := tablePhrases()
	hosts := remoteHosts()
	if len(all) < 500 {
		t.Fatalf("only %d phrases", len(all))
	}
	for _, p := range all {
		if bank.id(p) < 0 {
			t.Errorf("phrase %q not in bank", p)
		}
	}
	if len(bank.phrases) != len(all) {
		t.Errorf("bank holds %d phrases, the tables %d", len(bank.phrases), len(all))
	}
	fills := fillers
	if testing.Short() {
		fills = fillers[:2]
	}
	n := 0
	for _, p := range all {
		for _, f := range fills {
			n += checkSame(t, f.before+p+f.after, hosts)
		}
		// upper case, and the phrase's blanks folded
		n += checkSame(t, "550 "+strings.ReplaceAll(strings.ToUpper(p), " ", "\r\n\t "), hosts)
		if t.Failed() {
			t.FailNow()
		}
	}
	for _, q := range seqs {
		n += checkSame(t, strings.Join(q, ""), hosts)
		n += checkSame(t, "550 "+strings.Join(q, " abc ")+" def", hosts)
		rev := make([]string, len(q))
		for i, s := range q {
			rev[len(q)-1-i] = s
		}
		n += checkSame(t, strings.Join(rev, " "), hosts)
		// all parts but the last, and the last part before the first one
		n += checkSame(t, q[len(q)-1]+" "+strings.Join(q, " ")[:len(strings.Join(q, " "))-1], hosts)
	}
	t.Logf("%d phrases, %d seq entries, %d comparisons", len(all), len(seqs), n)
}

func TestFastRandom(t *testing.T) {
	t.Parallel()
	all, _ := tablePhrases()
	hosts := remoteHosts()
	rnd := rand.New(rand.NewPCG(1, 2))
	seps := []string{" ", "", ", ", "\n\t", " 550 5.7.1 ", ": ", "<a@b.example>"}
	count := 2000
	if testing.Short() {
		count = 300
	}
	n := 0
	for i := 0; i < count; i++ {
		var b strings.Builder
		for k := 1 + rnd.IntN(5); k > 0; k-- {
			b.WriteString(seps[rnd.IntN(len(seps))])
			p := all[rnd.IntN(len(all))]
			if rnd.IntN(4) == 0 {
				p = strings.ToUpper(p)
			}
			if rnd.IntN(4) == 0 && len(p) > 2 {
				// a phrase cut short: the automaton must not see it
				p = p[:1+rnd.IntN(len(p)-1)]
			}
			b.WriteString(p)
		}
		n += checkSame(t, b.String(), hosts)
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d texts, %d comparisons", count, n)
}

// corpusMarkers pick the lines of the sample bounces that carry a
// diagnostic.
var corpusMarkers = []string{
	"Diagnostic-Code", "said:", "550", "551", "552", "553", "554", "421", "450", "451", "452",
	"5.1.1", "5.7.1", "error", "Error", "rejected", "denied", "unknown", "Unknown",
}

// corpusTexts reads the diagnostics of the sample bounces: every line with a
// marker, and each Diagnostic-Code field with its continuation lines and
// without its type.
func corpusTexts(t *testing.T) []string {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.eml"))
	if err == nil && len(files) == 0 {
		_, err = os.Stat(corpusDir)
	}
	if err != nil || len(files) == 0 {
		if os.Getenv("CI") == "" {
			t.Skipf("no corpus in %s (set CI to make this fatal): %v", corpusDir, err)
		}
		t.Fatalf("no corpus in %s: %v", corpusDir, err)
	}
	seen := map[string]bool{}
	var texts []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			texts = append(texts, s)
		}
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		f.Close()
		for i, line := range lines {
			for _, m := range corpusMarkers {
				if strings.Contains(line, m) {
					add(line)
					break
				}
			}
			if strings.HasPrefix(strings.ToLower(line), "diagnostic-code:") {
				field := line[len("diagnostic-code:"):]
				for j := i + 1; j < len(lines) && lines[j] != "" && (lines[j][0] == ' ' || lines[j][0] == '\t'); j++ {
					field += "\n" + lines[j]
				}
				if k := strings.IndexByte(field, ';'); k >= 0 {
					field = field[k+1:]
				}
				add(strings.TrimSpace(field))
			}
		}
	}
	return texts
}

func TestFastCorpus(t *testing.T) {
	t.Parallel()
	texts := corpusTexts(t)
	if len(texts) < 100 {
		t.Fatalf("only %d texts in the corpus", len(texts))
	}
	hosts := remoteHosts()
	n := 0
	for _, s := range texts {
		n += checkSame(t, s, hosts)
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d texts, %d comparisons", len(texts), n)
}

// FuzzClassifyFast compares the two paths on arbitrary input.
func FuzzClassifyFast(f *testing.F) {
	f.Add("5.1.1", "SMTP", "550 5.1.1 <a@b>: Recipient address rejected: User unknown", "RCPT", "", "", "")
	f.Add("5.7.1", "", "mail from <a@b> refused, see orbs", "", "mx.example.jp", "", "")
	f.Add("", "SMTP", "550 5.7.606 Access denied, banned sending IP", "", "x.mail.protection.outlook.com", "", "")
	f.Add("5.1.0", "SMTP", "550 5.1.0 <a@b> sender rejected. AUP#In-1310", "MAIL", "", "", "charter.net")
	f.Add("5.0.0", "SMTP", "542 a@example.com Rejected", "", "mx.example.com", "server-0.bemta-0.messagelabs.com", "example.com")
	f.Fuzz(func(t *testing.T, status, dtype, diag, cmd, rmta, rep, domain string) {
		fc := Facts{Status: status, DiagnosticType: dtype, Diagnostic: diag, Command: cmd, RemoteMTA: rmta,
			ReportingMTA: rep, RecipientDomain: domain}
		if got, want := Classify(fc), classifySlow(fc); got != want {
			t.Fatalf("Classify = %q, classifySlow = %q for %+v", got, want, fc)
		}
		if got, want := FromText(diag), fromTextSlow(diag); got != want {
			t.Fatalf("FromText = %q, fromTextSlow = %q for %q", got, want, diag)
		}
	})
}

// TestFastNoAllocs: the scan itself allocates nothing.
func TestFastNoAllocs(t *testing.T) {
	s := normalize(benchDiagnostics[0].Diagnostic)
	if n := testing.AllocsPerRun(100, func() {
		var h hits
		bank.scan(s, &h)
	}); n != 0 {
		t.Errorf("scan allocates %v times", n)
	}
}

// benchDiagnostics is a realistic mix: the common refusals of the big
// providers and of Postfix, Exim, Sendmail, qmail, Exchange.
var benchDiagnostics = []Facts{
	{Status: "5.1.1", ReplyCode: "550", DiagnosticType: "SMTP", Command: "RCPT",
		Diagnostic: "host mx.example.jp[192.0.2.1] said: 550 5.1.1 <kijitora@example.jp>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command)"},
	{Status: "5.1.1", ReplyCode: "550", DiagnosticType: "SMTP", RemoteMTA: "dns; gmail-smtp-in.l.google.com",
		Diagnostic: "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. Learn more at https://support.google.com/mail/?p=NoSuchUser d2si1234567qkf.123 - gsmtp"},
	{Status: "5.2.2", ReplyCode: "552", DiagnosticType: "SMTP",
		Diagnostic: "552-5.2.2 The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm a1si123456pfb.42 - gsmtp"},
	{Status: "5.7.1", ReplyCode: "550", DiagnosticType: "SMTP", RemoteMTA: "dns; mx.example.com.mail.protection.outlook.com",
		Diagnostic: "550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.1 (AS3130) [BN8NAM11FT058.eop-nam11.prod.protection.outlook.com]"},
	{Status: "5.4.1", ReplyCode: "550", DiagnosticType: "SMTP", RemoteMTA: "dns; example-com.mail.protection.outlook.com",
		Diagnostic: "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DM6NAM12FT035.eop-nam12.prod.protection.outlook.com 2024-01-01T00:00:00.000Z 08DC0A0B0C0D0E0F]"},
	{Status: "4.2.1", ReplyCode: "421", DiagnosticType: "SMTP", RemoteMTA: "mta7.am0.yahoodns.net",
		Diagnostic: "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes"},
	{Status: "5.0.0", DiagnosticType: "SMTP", Command: "DATA",
		Diagnostic: "SMTP error from remote mail server after end of data: 554 5.7.1 This message has been blocked because it contains a virus: Eicar-Test-Signature"},
	{Status: "5.7.1", ReplyCode: "554", DiagnosticType: "SMTP",
		Diagnostic: "554 5.7.1 <a@example.org>: Relay access denied (in reply to RCPT TO command)"},
	{Status: "5.0.0", DiagnosticType: "SMTP",
		Diagnostic: "550 5.7.1 Message rejected as spam by Content Filtering. (in reply to end of DATA command)"},
	{Status: "4.4.7", Action: "delayed", DiagnosticType: "X-Postfix",
		Diagnostic: "connect to mx.example.net[192.0.2.25]:25: Connection timed out"},
	{Status: "5.1.2", DiagnosticType: "X-Postfix",
		Diagnostic: "Host or domain name not found. Name service error for name=example.invalid type=AAAA: Host not found"},
	{Status: "5.3.4", ReplyCode: "552", DiagnosticType: "SMTP",
		Diagnostic: "552 5.3.4 Message size exceeds fixed maximum message size (in reply to end of DATA command)"},
	{Status: "5.7.26", ReplyCode: "550", DiagnosticType: "SMTP", RemoteMTA: "gmail-smtp-in.l.google.com",
		Diagnostic: "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. Authentication results: DKIM = did not pass SPF [example.org] with ip: [192.0.2.1] = did not pass"},
	{Status: "5.0.0", DiagnosticType: "SMTP",
		Diagnostic: "----- Transcript of session follows -----\n... while talking to mx.example.org.:\n>>> RCPT To:<nobody@example.org>\n<<< 550 5.1.1 <nobody@example.org>... User unknown"},
	{Status: "5.1.0", DiagnosticType: "",
		Diagnostic: "Sorry, I couldn't find any host named example.invalid. (#5.1.2)"},
	{Status: "5.7.0", ReplyCode: "554", DiagnosticType: "SMTP",
		Diagnostic: "554 5.7.0 Reject, id=20025-09 - SPAM"},
	{Status: "4.2.2", ReplyCode: "452", DiagnosticType: "SMTP",
		Diagnostic: "452 4.2.2 <user@example.jp>... Mailbox full; Over quota. Try again later"},
	{Status: "5.0.0", DiagnosticType: "SMTP", Command: "MAIL",
		Diagnostic: "553 5.1.8 <sender@example.invalid>... Domain of sender address sender@example.invalid does not exist"},
	{Status: "5.5.0", RemoteMTA: "smtp-in.orange.fr", DiagnosticType: "SMTP",
		Diagnostic: "550 5.5.0 Boite du destinataire archivee. Archived recipient. LPN007_420"},
	{Status: "5.0.0", DiagnosticType: "SMTP",
		Diagnostic: "550 このメールアドレスは存在しません (宛先不明) <user@example.ne.jp>"},
}

func TestFastBenchMix(t *testing.T) {
	if len(benchDiagnostics) != 20 {
		t.Errorf("%d diagnostics in the mix, want 20", len(benchDiagnostics))
	}
	for _, f := range benchDiagnostics {
		if got, want := Classify(f), classifySlow(f); got != want {
			t.Errorf("Classify = %q, classifySlow = %q for %+v", got, want, f)
		}
	}
}

// BenchmarkClassifyMix classifies the mix of 20 diagnostics; ns/op is per
// diagnostic.
func BenchmarkClassifyMix(b *testing.B) {
	for b.Loop() {
		for i := range benchDiagnostics {
			Classify(benchDiagnostics[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchDiagnostics)), "ns/diag")
}

// BenchmarkClassifyMixSlow is the same mix through the reference path.
func BenchmarkClassifyMixSlow(b *testing.B) {
	for b.Loop() {
		for i := range benchDiagnostics {
			classifySlow(benchDiagnostics[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchDiagnostics)), "ns/diag")
}

// BenchmarkBuildBank is the cost of compiling the tables at initialisation.
func BenchmarkBuildBank(b *testing.B) {
	for b.Loop() {
		buildBank()
	}
}

// BenchmarkScan is the automaton alone over the normalized mix.
func BenchmarkScan(b *testing.B) {
	var texts []string
	n := 0
	for _, f := range benchDiagnostics {
		texts = append(texts, normalize(f.Diagnostic))
		n += len(f.Diagnostic)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, s := range texts {
			var h hits
			bank.scan(s, &h)
		}
	}
}

// BenchmarkNormalize is normalize alone over the mix.
func BenchmarkNormalize(b *testing.B) {
	n := 0
	for _, f := range benchDiagnostics {
		n += len(f.Diagnostic)
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		for _, f := range benchDiagnostics {
			normalize(f.Diagnostic)
		}
	}
}
