package source

import (
	"strconv"
	"strings"
	"time"
)

// maildirTime reads the delivery time a Maildir file name begins with:
// Unix seconds, then, in Dovecot's and Courier's unique part, M and the
// microseconds ("1733480000.M123456P45.host,S=1234:2,S"; D. J.
// Bernstein's maildir(5) and its later forms "1733480000.V803I1234M567.host"
// and "1733480000.12345_1.host").
func maildirTime(name string) (time.Time, bool) {
	dot := strings.IndexByte(name, '.')
	if dot < 9 || dot > 11 {
		return time.Time{}, false
	}
	secs, err := strconv.ParseInt(name[:dot], 10, 64)
	if err != nil || secs <= 0 {
		return time.Time{}, false
	}
	t := time.Unix(secs, 0)
	uniq := name[dot+1:]
	if i := strings.IndexByte(uniq, '.'); i >= 0 {
		uniq = uniq[:i]
	}
	if i := strings.IndexByte(uniq, 'M'); i >= 0 && (i == 0 || uniq[i-1] != '_') {
		j := i + 1
		for j < len(uniq) && j-i <= 6 && uniq[j] >= '0' && uniq[j] <= '9' {
			j++
		}
		if us, err := strconv.Atoi(uniq[i+1 : j]); err == nil && us < 1e6 {
			t = t.Add(time.Duration(us) * time.Microsecond)
		}
	}
	return t, true
}

// fromLineTime reads the date of an mbox From_ line, "From sender
// Sat Dec  5 10:00:00 2026" (asctime(3), which names no zone: loc is
// used), also with a zone after the year ("2026 +0900") or before it
// ("10:00:00 JST 2026", taken as loc unless it is UTC/GMT).
func fromLineTime(line []byte, loc *time.Location) (time.Time, bool) {
	f := strings.Fields(string(line))
	if len(f) < 7 || f[0] != "From" {
		return time.Time{}, false
	}
	f = f[2:] // "From", the sender
	// The sender may hold spaces when quoted; the date is the last five
	// or six fields.
	for len(f) > 6 {
		f = f[1:]
	}
	if len(f) == 6 {
		if t, err := time.Parse("Mon Jan 2 15:04:05 2006 -0700", strings.Join(f, " ")); err == nil {
			return t, true
		}
		switch strings.ToUpper(f[4]) {
		case "UTC", "GMT", "Z":
			loc = time.UTC
		}
		f = append(f[:4:4], f[5])
	}
	if len(f) != 5 {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("Mon Jan 2 15:04:05 2006", strings.Join(f, " "), loc)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
