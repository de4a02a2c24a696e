package bounce

import (
	"slices"
	"strings"
	"testing"
)

const mailboxFullJP = "メールボックスが一杯です"

// TestToUTF8Charsets checks each charset path of toUTF8: the Japanese
// encodings, ISO-2022-JP text mislabelled as ASCII, Latin-1, and invalid
// bytes that must not leak as broken UTF-8.
func TestToUTF8Charsets(t *testing.T) {
	iso2022 := "\x1b\x24\x42\x25\x61\x21\x3c\x25\x6b\x25\x5c\x25\x43\x25\x2f\x25\x39\x24\x2c\x30\x6c\x47\x55\x24\x47\x24\x39\x1b\x28\x42"
	cases := []struct {
		name, in, charset, want string
	}{
		{"iso-2022-jp", iso2022, "ISO-2022-JP", mailboxFullJP},
		{"iso-2022-jp labelled us-ascii", iso2022, "us-ascii", mailboxFullJP},
		{"iso-2022-jp unlabelled", iso2022, "", mailboxFullJP},
		{"shift_jis", "\x83\x81\x81\x5b\x83\x8b\x83\x7b\x83\x62\x83\x4e\x83\x58\x82\xaa\x88\xea\x94\x74\x82\xc5\x82\xb7", "Shift_JIS", mailboxFullJP},
		{"windows-31j", "\x83\x81\x81\x5b\x83\x8b\x83\x7b\x83\x62\x83\x4e\x83\x58\x82\xaa\x88\xea\x94\x74\x82\xc5\x82\xb7", "windows-31j", mailboxFullJP},
		{"euc-jp", "\xa5\xe1\xa1\xbc\xa5\xeb\xa5\xdc\xa5\xc3\xa5\xaf\xa5\xb9\xa4\xac\xb0\xec\xc7\xd5\xa4\xc7\xa4\xb9", "EUC-JP", mailboxFullJP},
		{"utf-8", mailboxFullJP, "utf-8", mailboxFullJP},
		{"latin-1", "r\xe9essayez", "ISO-8859-1", "réessayez"},
		{"quoted charset label", "r\xe9essayez", `"iso-8859-1"`, "réessayez"},
	}
	for _, c := range cases {
		if got := toUTF8([]byte(c.in), c.charset); got != c.want {
			t.Errorf("%s: toUTF8 = %q, want %q", c.name, got, c.want)
		}
	}
	// Unknown labels and broken bytes give valid UTF-8, never a panic.
	for _, cs := range []string{"x-no-such-charset", "utf-8", ""} {
		got := toUTF8([]byte("ok \xff\xfe end"), cs)
		if !strings.HasPrefix(got, "ok ") || !strings.HasSuffix(got, " end") || strings.Contains(got, "\xff") {
			t.Errorf("charset %q: toUTF8 of invalid bytes = %q", cs, got)
		}
	}
}

// TestTransferEncodings checks base64 and quoted-printable decoding,
// including the lenient cases bounces carry.
func TestTransferEncodings(t *testing.T) {
	if got := string(decodeTransfer("base64", []byte("44Oh44O844Or44Oc44OD44Kv44K544GM5LiA5p2v44Gn44GZ\n"), maxTextPart)); got != mailboxFullJP {
		t.Errorf("base64: %q", got)
	}
	if got := string(decodeTransfer("BASE64", []byte("44Oh44O8 44Or44Oc\n44OD44Kv44K5\n44GM5LiA5p2v44Gn44GZ"), maxTextPart)); got != mailboxFullJP {
		t.Errorf("base64 with spaces and line breaks: %q", got)
	}
	if got := string(decodeTransfer("quoted-printable", []byte("bo=EEte pleine, r=E9essa=\nyez = fin"), maxTextPart)); got != "bo\xeete pleine, r\xe9essayez = fin" {
		t.Errorf("quoted-printable: %q", got)
	}
}

// TestDecodeWordsJapanese checks RFC 2047 encoded words in Japanese
// charsets.
func TestDecodeWordsJapanese(t *testing.T) {
	cases := map[string]string{
		"=?ISO-2022-JP?B?GyRCJWEhPCVrJVwlQyUvJTkkLDBsR1UkRyQ5GyhC?=":   mailboxFullJP,
		"=?UTF-8?B?44Oh44O844Or44Oc44OD44Kv44K544GM5LiA5p2v44Gn44GZ?=": mailboxFullJP,
		"=?iso-8859-1?Q?r=E9essayez?=":                                 "réessayez",
		// One malformed word does not hide the others.
		"=?UTF-8?B?44OJ44Kz44Oi?= =?UTF-8?B?%%%?= <x@docomo-center.example>": "ドコモ =?UTF-8?B?%%%?= <x@docomo-center.example>",
		"=?UTF-8?B?44OJ44Kz44Oi?= =?UTF-8?Q?_mail?= =?UTF-8?X?abc?=":         "ドコモ mail =?UTF-8?X?abc?=",
	}
	for in, want := range cases {
		if got := decodeWords(in); got != want {
			t.Errorf("decodeWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNormalizeLineEnds checks that CRLF, CR and LF give the same text.
func TestNormalizeLineEnds(t *testing.T) {
	want := "a\nb\n\nc\n"
	for _, in := range []string{"a\nb\n\nc\n", "a\r\nb\r\n\r\nc\r\n", "a\rb\r\rc\r", "a\r\nb\n\rc\r"} {
		if got := string(normalizeLineEnds([]byte(in))); got != want {
			t.Errorf("normalizeLineEnds(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHTMLLinksKept(t *testing.T) {
	tests := []struct {
		name string
		html string
		want []string
	}{
		{"href hidden behind words", `<p>Sign in <a href="https://login.phish.example/x?u=a@b">here</a></p>`, []string{"https://login.phish.example/x?u=a@b"}},
		{"form action and upper case", `<FORM ACTION='HTTPS://Evil.example/post'><input></form>`, []string{"HTTPS://Evil.example/post"}},
		{"unquoted attribute", `<a href=http://bare.example/p>x</a>`, []string{"http://bare.example/p"}},
		{"text mention is not an attribute", `<p>see http://text.example/ for help</p>`, nil},
		{"duplicates once", `<a href="https://a.example/">1</a><a href="https://a.example/">2</a>`, []string{"https://a.example/"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := htmlLinks(nil, tc.html, maxLinks)
			if !slices.Equal(got, tc.want) {
				t.Errorf("htmlLinks = %q, want %q", got, tc.want)
			}
		})
	}
	msg := "From: MAILER-DAEMON@x.example\nSubject: Delivery Status Notification (Failure)\nContent-Type: text/html; charset=utf-8\n\n<p>Pending. <a href=\"https://secure.phish.example/owa\">Retrieve</a></p>\n"
	res, _ := DecodeBytes([]byte(msg))
	if res == nil || !slices.Contains(res.Links, "https://secure.phish.example/owa") {
		t.Errorf("Result.Links lacks the HTML link: %+v", res)
	}
}

func TestIndexFold(t *testing.T) {
	tests := []struct {
		s, sub string
		want   int
	}{
		{"Hello World", "world", 6},
		{"hello WORLD", "world", 6},
		{"wwwwwWorld", "world", 5},
		{"no match here", "world", -1},
		{"", "a", -1},
		{"abc", "", 0},
		{"ab", "abc", -1},
		{"xxx-----Original Message-----", "-----original message", 3},
		{"x<STYLE>p{}</Style>y", "</styl", 11},
		{"123 456", "456", 4},
	}
	for _, tc := range tests {
		if got := indexFold(tc.s, tc.sub); got != tc.want {
			t.Errorf("indexFold(%q, %q) = %d, want %d", tc.s, tc.sub, got, tc.want)
		}
		if want := strings.Index(strings.ToLower(tc.s), tc.sub); want != tc.want {
			t.Errorf("table wrong for %q: strings.Index gives %d", tc.s, want)
		}
	}
}
