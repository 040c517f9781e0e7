package sdkimport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// Scan reads an export from r. name is only used to tell formats apart when
// the content is ambiguous. Users are handed to emit in batches; Stats are
// complete when err is nil.
func Scan(ctx context.Context, r io.Reader, name string, opt Options, emit func([]User) error) (Stats, error) {
	opt.defaults()
	if opt.Size > opt.MaxBytes {
		// Refused before a byte is read.
		return Stats{}, &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("larger than %d MB", opt.MaxBytes>>20)}
	}
	counted := &countingReader{r: r, max: opt.MaxBytes}
	br := bufio.NewReaderSize(counted, 64<<10)
	head, perr := br.Peek(64 << 10)
	if len(head) == 0 {
		if errors.Is(perr, syscall.EISDIR) {
			return Stats{}, &Error{Kind: KindFolder, Detail: "this is a folder, not a file"}
		}
		if perr != nil && perr != io.EOF {
			return Stats{}, &Error{Kind: KindUnreadable, Detail: perr.Error()}
		}
		return Stats{}, &Error{Kind: KindEmpty, Detail: "the file is empty"}
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return scanXLSX(ctx, br, counted, opt, emit)
	}
	if kind, what := sniffBinary(head); kind != "" {
		return Stats{}, &Error{Kind: kind, Detail: what}
	}
	enc := sniffEncoding(head)
	if _, err := br.Discard(enc.skip); err != nil {
		return Stats{}, &Error{Kind: KindUnreadable, Detail: err.Error()}
	}
	tr := br
	if enc.dec != nil {
		tr = bufio.NewReaderSize(transform.NewReader(br, enc.dec.NewDecoder()), 64<<10)
	}
	s := newScanner(opt, emit)
	defer s.seen.close()
	s.stats.Format = enc.format
	sample, _ := tr.Peek(16 << 10)
	comma := sniffDelimiter(string(sample))
	if strings.HasPrefix(enc.format, "csv-utf16") && comma == ',' && bytes.IndexByte(sample, '\t') >= 0 {
		comma = '\t'
	}
	return s.scanCSV(ctx, newCSVReader(tr, byte(comma)), counted)
}

// scanCSV is the record loop of a text export.
func (s *scanner) scanCSV(ctx context.Context, cr *csvReader, counted *countingReader) (Stats, error) {
	var strs []string
	for {
		rec, line, err := cr.Read()
		if err == io.EOF {
			break
		}
		switch {
		case errors.Is(err, errTooLarge):
			return s.stats, &Error{Kind: KindTooLarge, Detail: fmt.Sprintf("larger than %d MB", s.opt.MaxBytes>>20)}
		case errors.Is(err, errTooLong):
			if err := s.skipRow(line, ReasonTooLong); err != nil {
				return s.stats, err
			}
			continue
		case err != nil:
			return s.stats, &Error{Kind: KindUnreadable, Line: line, Detail: err.Error()}
		}
		if !textual(rec, s.stats.Format) {
			// A byte the encoding has no character for, or a NUL: this
			// row is damaged, not the file.
			if err := s.skipRow(line, ReasonBadEncoding); err != nil {
				return s.stats, err
			}
			continue
		}
		if s.started {
			err = s.dataBytes(ctx, rec, line)
		} else {
			strs = strs[:0]
			for _, f := range rec {
				strs = append(strs, string(f))
			}
			err = s.row(ctx, strs, line)
			if s.started {
				cr.width, cr.idCol = len(rec), s.mapping.OpenID
			}
		}
		if err != nil {
			return s.stats, err
		}
		if s.opt.Progress != nil && s.stats.Rows%10000 == 0 && s.stats.Rows > 0 {
			s.opt.Progress(counted.n, s.stats.Rows)
		}
	}
	s.stats.UnclosedQuotes, s.stats.UnclosedQuoteLines = cr.unclosed, cr.Unclosed
	if s.opt.Progress != nil {
		s.opt.Progress(counted.n, s.stats.Rows)
	}
	return s.finish()
}

// textual says whether a record's bytes are text: valid UTF-8 where the
// file is UTF-8, no U+FFFD where a decoder read the file (GBK, Big5 and
// UTF-16 decoders put one where bytes have no character, and a stored
// U+FFFD is a character already lost before the export), and no NUL.
func textual(rec [][]byte, format string) bool {
	utf8File := format == "csv-utf8" || format == "csv-utf8-bom"
	for _, f := range rec {
		if bytes.IndexByte(f, 0) >= 0 || utf8File && !utf8.Valid(f) || !utf8File && bytes.Contains(f, replacement) {
			return false
		}
	}
	return true
}

// replacement is U+FFFD in UTF-8.
var replacement = []byte(string(utf8.RuneError))

var errTooLarge = errors.New("file too large")

type countingReader struct {
	r      io.Reader
	n, max int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		return n, errTooLarge
	}
	return n, err
}

// sniffDelimiter picks the separator used most consistently in the sample.
func sniffDelimiter(sample string) rune {
	lines := strings.Split(sample, "\n")
	if len(lines) > 20 {
		lines = lines[:20]
	}
	best, bestScore := ',', -1
	for _, d := range []rune{',', '\t', ';', '|'} {
		score := 0
		for _, l := range lines {
			if strings.ContainsRune(l, d) {
				score++
			}
		}
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}
