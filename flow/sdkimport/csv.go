package sdkimport

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Limits of the CSV reader. A record longer than maxRecord is skipped (and
// counted) rather than held, so one runaway line cannot take the memory; a
// quoted field may run over at most maxQuotedLines lines, which covers the
// multi-line cells Excel writes and nothing an unclosed quote swallows.
const (
	maxRecord      = 1 << 20
	maxQuotedLines = 20
)

// csvReader splits an export into records the way Excel writes CSV, with
// any of \r\n, \n or a lone \r (old Mac exports) ending each line.
//
// A quote that opens a field and never closes (a hand-edited nickname such
// as "小明的店) would swallow every following line into one field, leaving a
// fraction of the rows. When a quoted field reaches the end of the file, runs
// over maxQuotedLines lines, or is closed by a quote that is not followed by
// a separator, its opening quote is taken as an ordinary character and the
// lines it swallowed are read again as the rows they are.
type csvReader struct {
	br     *bufio.Reader
	comma  byte
	lineNo int // lines handed out so far
	// width and idCol are the table's column count and openid column once
	// the titles are known (width 0 before), to tell a row from a line of
	// a multi-line cell.
	width, idCol int

	held    []heldLine // lines read ahead while a quoted field was open
	rec     []byte     // the current record's bytes, fields unescaped
	first   []byte     // its first line as read, for a second reading
	ends    []int      // end offset in rec of each field
	fields  [][]byte
	scratch []byte

	Unclosed []int // first lines of the quotes recovered, for the report
	unclosed int
}

type heldLine struct {
	no      int
	b       []byte
	tooLong bool
}

var errTooLong = errors.New("sdkimport: line too long")

func newCSVReader(r *bufio.Reader, comma byte) *csvReader {
	return &csvReader{br: r, comma: comma}
}

// line returns the next physical line without its ending; the bytes are
// valid until the next call. Each line decides its own ending, as Excel and
// LibreOffice do: \r\n, \n or a lone \r, so mixed endings and two exports
// glued together lose no row. tooLong lines come back cut at maxRecord.
func (c *csvReader) line() (no int, b []byte, tooLong bool, err error) {
	if len(c.held) > 0 {
		h := c.held[0]
		c.held = c.held[1:]
		return h.no, h.b, h.tooLong, nil
	}
	c.scratch = c.scratch[:0]
	read := false
	for {
		if c.br.Buffered() == 0 {
			if _, err := c.br.Peek(1); err != nil {
				if !read {
					return 0, nil, false, err
				}
				if err != io.EOF {
					return 0, nil, false, err
				}
				break
			}
		}
		buf, _ := c.br.Peek(c.br.Buffered())
		read = true
		end := bytes.IndexByte(buf, '\n')
		if end < 0 {
			end = len(buf)
		}
		if cr := bytes.IndexByte(buf[:end], '\r'); cr >= 0 {
			end = cr
		}
		tooLong = c.keep(buf[:end]) || tooLong
		if end == len(buf) {
			c.br.Discard(end)
			continue
		}
		crlf := buf[end] == '\r' && end+1 < len(buf) && buf[end+1] == '\n'
		lone := buf[end] == '\r' && end+1 == len(buf)
		c.br.Discard(end + 1)
		if crlf {
			c.br.Discard(1)
		} else if lone {
			// The \r was the buffer's last byte: a \n after it belongs
			// to the same ending.
			if next, err := c.br.Peek(1); err == nil && next[0] == '\n' {
				c.br.Discard(1)
			}
		}
		break
	}
	c.lineNo++
	return c.lineNo, c.scratch, tooLong, nil
}

// keep adds part of a line to scratch up to maxRecord and says whether
// anything was cut.
func (c *csvReader) keep(b []byte) (cut bool) {
	room := maxRecord - len(c.scratch)
	if len(b) > room {
		c.scratch = append(c.scratch, b[:max(room, 0)]...)
		return true
	}
	c.scratch = append(c.scratch, b...)
	return false
}

// Read returns the next record's fields (valid until the next call) and the
// line it starts on. A record over maxRecord returns errTooLong and is
// skipped whole.
func (c *csvReader) Read() (fields [][]byte, lineNo int, err error) {
	no, b, tooLong, err := c.line()
	if err != nil {
		return nil, 0, err
	}
	if tooLong {
		return nil, no, errTooLong
	}
	c.rec = append(c.rec[:0], b...)
	if bytes.IndexByte(b, '"') < 0 {
		c.splitLiteral()
		return c.fields, no, nil
	}
	c.first = append(c.first[:0], b...)
	ok, err := c.split()
	if err != nil {
		return nil, no, err
	}
	if !ok {
		// A quote opened a field and never closed: read the first line
		// again with that quote as text; the lines after it are rows.
		c.unclosed++
		if len(c.Unclosed) < 10 {
			c.Unclosed = append(c.Unclosed, no)
		}
		c.rec = append(c.rec[:0], c.first...)
		c.splitLiteral()
	}
	return c.fields, no, nil
}

// split cuts c.rec into fields, unescaping quoted ones in place, and reads
// more lines while a quoted field is open. ok is false when a quote opened
// a field and never closed; the extra lines it read are then held back.
func (c *csvReader) split() (ok bool, err error) {
	c.ends = c.ends[:0]
	in := c.rec
	out := 0 // unescaping in place: out never passes i
	var extra []heldLine
	lines := 1
	i := 0
	for {
		quoted := i < len(in) && in[i] == '"'
		if quoted {
			i++
		}
		for quoted {
			if i >= len(in) {
				// The field goes on over the line's end.
				no, b, tooLong, lerr := c.line()
				if lerr != nil && lerr != io.EOF {
					return false, lerr
				}
				if lerr == nil {
					extra = append(extra, heldLine{no, append([]byte(nil), b...), tooLong})
				}
				if lerr != nil || tooLong || lines >= maxQuotedLines || len(in)+len(b) > maxRecord || c.swallowsRows(extra, len(c.ends)) {
					c.holdBack(extra)
					return false, nil
				}
				lines++
				in = append(append(in, '\n'), b...)
				continue
			}
			switch {
			case in[i] != '"':
				in[out] = in[i]
				out++
				i++
			case i+1 < len(in) && in[i+1] == '"': // "" is one quote
				in[out] = '"'
				out++
				i += 2
			case i+1 == len(in) || in[i+1] == c.comma:
				i++ // the closing quote
				quoted = false
			case len(extra) > 0:
				// A multi-line field closed by a quote that is not followed
				// by a separator: that quote opened another field, and
				// the first was never closed.
				c.holdBack(extra)
				return false, nil
			default:
				// "小明"的店 on one line: the rest of the field is text.
				in[out] = '"'
				out++
				i++
				quoted = false
			}
		}
		for i < len(in) && in[i] != c.comma {
			in[out] = in[i]
			out++
			i++
		}
		c.ends = append(c.ends, out)
		if i >= len(in) {
			break
		}
		i++
		in[out] = c.comma // kept between fields; see collect
		out++
	}
	c.rec = in
	c.collect(in)
	return true, nil
}

// collect turns c.ends into c.fields over in; separators were kept between
// the unescaped fields.
func (c *csvReader) collect(in []byte) {
	c.fields = c.fields[:0]
	from := 0
	for _, e := range c.ends {
		c.fields = append(c.fields, in[from:e])
		from = e + 1
	}
}

// splitLiteral cuts c.rec at every separator, quotes and all.
func (c *csvReader) splitLiteral() {
	c.ends = c.ends[:0]
	for i, ch := range c.rec {
		if ch == c.comma {
			c.ends = append(c.ends, i)
		}
	}
	c.ends = append(c.ends, len(c.rec))
	c.collect(c.rec)
}

// swallowsRows says whether an open quoted field has taken in a line that
// is a whole row of the table: its opening line, when the quote opened at
// or before the openid column, or a line between that one and the newest.
// A multi-line cell's own lines do not hold an openid in the openid column
// with the table's count of separators.
func (c *csvReader) swallowsRows(extra []heldLine, field int) bool {
	if c.width == 0 {
		return false
	}
	if len(extra) == 1 {
		return field <= c.idCol && c.looksWhole(c.first)
	}
	return c.looksWhole(extra[len(extra)-2].b)
}

func (c *csvReader) looksWhole(line []byte) bool {
	if bytes.Count(line, []byte{c.comma}) != c.width-1 {
		return false
	}
	for i, f := range bytes.Split(line, []byte{c.comma}) {
		if i == c.idCol {
			return validID(trimCell(f))
		}
	}
	return false
}

func (c *csvReader) holdBack(extra []heldLine) {
	c.held = append(extra, c.held...)
}
