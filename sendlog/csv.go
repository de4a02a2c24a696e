package sendlog

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// CSV column names, compared case-insensitively after trimming spaces,
// quotes and a BOM.
var (
	csvTimeCols    = []string{"hour", "time", "datetime", "date", "timestamp"}
	csvAccountCols = []string{"account", "user", "sender", "email", "mailbox", "address"}
	csvCountCols   = []string{"sent", "count", "messages", "total"}
)

func colIndex(header []string, names []string) int {
	for _, n := range names {
		for i, h := range header {
			if normCol(h) == n {
				return i
			}
		}
	}
	return -1
}

func normCol(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	return strings.ToLower(strings.Trim(h, " \t\"'"))
}

// csvDelim guesses the delimiter of a header line.
func csvDelim(header string) rune {
	switch {
	case strings.Count(header, ",") > 0:
		return ','
	case strings.Count(header, ";") > 0:
		return ';'
	case strings.Count(header, "\t") > 0:
		return '\t'
	}
	return ','
}

// isCSVHeader tells a header row naming a time, an account and a count column.
func isCSVHeader(line string) bool {
	d := csvDelim(line)
	cols := strings.Split(line, string(d))
	if len(cols) < 3 {
		return false
	}
	return colIndex(cols, csvTimeCols) >= 0 && colIndex(cols, csvAccountCols) >= 0 && colIndex(cols, csvCountCols) >= 0
}

// readCSV reads a CSV of sent counts: a header row, then rows like
// "2026-11-02 02:00,shop@example.jp,4812". A separate date and hour column
// ("2026-11-02","02") are combined. Rows that cannot be read are unknown.
func (r *reader) readCSV(ctx context.Context, br *bufio.Reader) error {
	// Skip blank lines and comments before the header, counting them.
	var header string
	for {
		line, err := br.ReadString('\n')
		if line == "" && err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("%s: %w", r.name, err)
		}
		r.lineNo++
		r.stats.Lines++
		t := strings.TrimRight(line, "\r\n")
		if isBlank(t) || strings.HasPrefix(t, "#") {
			r.stats.Ignored++
			continue
		}
		header = t
		break
	}
	first := r.lineNo
	d := csvDelim(header)
	hr := csv.NewReader(strings.NewReader(header))
	hr.Comma = d
	cols, err := hr.Read()
	if err != nil {
		r.unknown(header)
		return nil
	}
	ti, ai, ci := colIndex(cols, csvTimeCols), colIndex(cols, csvAccountCols), colIndex(cols, csvCountCols)
	if ti < 0 || ai < 0 || ci < 0 {
		r.unknown(header)
		return fmt.Errorf("%s: %w: CSV header %q lacks a time, account or count column", r.name, ErrFormat, header)
	}
	hourCol := -1 // a separate hour column beside a date column
	if di, hi := colIndex(cols, []string{"date"}), colIndex(cols, []string{"hour", "time"}); di >= 0 && hi >= 0 {
		ti, hourCol = di, hi
	}
	r.stats.Ignored++ // the header

	cr := csv.NewReader(br)
	cr.Comma = d
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	cr.Comment = '#'
	prevLine := first
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return ctx.Err()
		}
		var line int
		var pe *csv.ParseError
		switch {
		case err == nil:
			line, _ = cr.FieldPos(0)
		case errors.As(err, &pe):
			line = pe.StartLine
		default:
			return fmt.Errorf("%s: %w", r.name, err)
		}
		line += first
		// Lines the csv reader skipped (blank, comments) are counted as ignored.
		if line > prevLine+1 {
			r.stats.Lines += line - prevLine - 1
			r.stats.Ignored += line - prevLine - 1
		}
		prevLine = line
		r.lineNo = line
		r.stats.Lines++
		if err != nil {
			r.unknown(pe.Error())
			continue
		}
		if r.lineNo&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if !r.csvRow(rec, ti, ai, ci, hourCol) {
			r.unknown(strings.Join(rec, string(d)))
		}
		if r.err != nil {
			return r.err
		}
	}
}

var csvLayouts = []string{
	"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05",
	"2006/01/02 15:04", "2006/01/02 15:04:05", "2006-01-02 15", "2006-01-02", "2006/01/02",
	"2006-01-02 15:04:05Z07:00", time.RFC3339, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04 -0700",
}

func (r *reader) csvRow(rec []string, ti, ai, ci, hourCol int) bool {
	if ti >= len(rec) || ai >= len(rec) || ci >= len(rec) {
		return false
	}
	ts := strings.TrimSpace(rec[ti])
	if hourCol >= 0 && hourCol < len(rec) && !strings.ContainsAny(ts, " T") {
		h := strings.TrimSpace(rec[hourCol])
		if len(h) == 1 {
			h = "0" + h
		}
		if len(h) == 2 {
			h += ":00"
		}
		ts += " " + h
	}
	var t time.Time
	ok := false
	for _, l := range csvLayouts {
		var err error
		if t, err = time.ParseInLocation(l, ts, r.loc); err == nil {
			ok = true
			break
		}
	}
	acct := strings.TrimSpace(rec[ai])
	n := strings.ReplaceAll(strings.TrimSpace(rec[ci]), ",", "")
	if !ok || acct == "" || !allDigits(n) || len(n) > 12 {
		return false
	}
	ev := Event{Time: t, Program: "csv", Kind: Count, SASLUser: acct, Count: atoi(n)}
	if strings.Contains(acct, "@") {
		ev.From = acct
	}
	r.emit(&ev)
	return true
}
