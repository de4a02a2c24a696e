package attrib

import "strings"

// MessageIDShape returns the form of a Message-ID: its domain in lower case
// and a coarse shape of its local part, in which each run of letters and
// digits becomes a class and separators stay as they are:
//
//	digitsN  N decimal digits
//	hex      hexadecimal digits, at least one a-f and one 0-9
//	alpha    letters only
//	alnum    anything else made of letters and digits
//
// so that "<20261101171409.4B2C81A0042@mail.example.jp>" gives
// "digits14.hex@mail.example.jp". Runs of one separator are kept once.
// Messages from one program share a shape; a spammer's tool rarely
// matches ours. The result is at most 128 bytes.
func MessageIDShape(id string) string {
	id = normMessageID(id)
	local, dom := id, ""
	if at := strings.LastIndexByte(id, '@'); at >= 0 {
		local, dom = id[:at], id[at+1:]
	}
	var b strings.Builder
	for i := 0; i < len(local) && b.Len() < 96; {
		c := local[i]
		if !isAlnum(c) {
			if c < 0x20 || c >= 0x7f {
				c = '?'
			}
			if s := b.String(); s == "" || s[len(s)-1] != c {
				b.WriteByte(c)
			}
			i++
			continue
		}
		j := i
		digits, letters, hexOnly := 0, 0, true
		for j < len(local) && isAlnum(local[j]) {
			d := local[j]
			switch {
			case d >= '0' && d <= '9':
				digits++
			default:
				letters++
				if !(d >= 'a' && d <= 'f' || d >= 'A' && d <= 'F') {
					hexOnly = false
				}
			}
			j++
		}
		switch {
		case letters == 0:
			b.WriteString("digits")
			writeInt(&b, min(digits, 99))
		case hexOnly && digits > 0:
			b.WriteString("hex")
		case digits == 0:
			b.WriteString("alpha")
		default:
			b.WriteString("alnum")
		}
		i = j
	}
	if dom != "" {
		b.WriteByte('@')
		if len(dom) > 128-b.Len() {
			dom = dom[:128-b.Len()]
		}
		b.WriteString(dom)
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func writeInt(b *strings.Builder, n int) {
	if n >= 10 {
		b.WriteByte(byte('0' + n/10))
	}
	b.WriteByte(byte('0' + n%10))
}
