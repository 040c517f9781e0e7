package sdkimport

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlReader reads the little of XML a sheet or the shared strings need,
// with nothing allocated per element or cell: encoding/xml makes a string
// of every name and attribute and a copy of every text, garbage that grew
// with the sheet (two million rows made gigabytes of it) and had the
// collector let the heap past the import's memory goal. Names, attributes
// and text are slices of buffers reused from tag to tag; text is kept only
// when asked (keep), decoded, and never past maxRecord bytes (long).
type xmlReader struct {
	r     *bufio.Reader
	name  []byte // the local name of the tag just read
	attrs []byte // its attributes, as written
	empty bool   // the tag was <name/>: its end comes next
	// text gathers the text read while keep is set, entities decoded,
	// until the caller empties it; past maxRecord bytes it is dropped
	// and long set.
	text []byte
	long bool
	keep bool
	tag  []byte
}

type xmlToken int

const (
	xmlStart xmlToken = iota + 1
	xmlEnd
	xmlText
)

var errMarkup = errors.New("sdkimport: malformed XML")

func newXMLReader(r io.Reader) *xmlReader {
	return &xmlReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next reads one token; io.EOF ends the part.
func (x *xmlReader) next() (xmlToken, error) {
	if x.empty {
		x.empty = false
		return xmlEnd, nil
	}
	for {
		b, err := x.r.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != '<' {
			if err := x.r.UnreadByte(); err != nil {
				return 0, err
			}
			return xmlText, x.readText()
		}
		b, err = x.r.ReadByte()
		if err != nil {
			return 0, errMarkup
		}
		switch b {
		case '/':
			if err := x.readTag(); err != nil {
				return 0, err
			}
			x.name = local(bytes.TrimSpace(x.tag))
			return xmlEnd, nil
		case '?':
			if err := x.skipPast("?>"); err != nil {
				return 0, err
			}
		case '!':
			cdata, err := x.readBang()
			if err != nil {
				return 0, err
			}
			if cdata {
				return xmlText, nil
			}
		default:
			if err := x.r.UnreadByte(); err != nil {
				return 0, err
			}
			if err := x.readTag(); err != nil {
				return 0, err
			}
			t := bytes.TrimSpace(x.tag)
			if x.empty = bytes.HasSuffix(t, []byte("/")); x.empty {
				t = t[:len(t)-1]
			}
			end := bytes.IndexAny(t, " \t\r\n")
			if end < 0 {
				end = len(t)
			}
			x.name, x.attrs = local(t[:end]), t[end:]
			return xmlStart, nil
		}
	}
}

// readTag reads up to the '>' that ends a tag, quotes respected, into tag.
func (x *xmlReader) readTag() error {
	x.tag = x.tag[:0]
	var quote byte
	for {
		b, err := x.r.ReadByte()
		if err != nil {
			return errMarkup
		}
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case b == '>':
			return nil
		}
		// capReader refuses markup longer than rawCap first.
		x.tag = append(x.tag, b)
	}
}

// readText reads text up to the next '<'.
func (x *xmlReader) readText() error {
	for {
		chunk, err := x.r.ReadSlice('<')
		n := len(chunk)
		if err == nil {
			n-- // the '<' is the next tag's
		}
		if x.keep && !x.long {
			x.appendText(chunk[:n])
		}
		switch {
		case err == nil:
			return x.r.UnreadByte()
		case err == io.EOF:
			return nil
		case !errors.Is(err, bufio.ErrBufferFull):
			return err
		}
	}
}

// appendText adds raw text to text with its entities decoded. An entity
// cut by a buffer's end is kept as written: a cell's text fits the buffer
// many times over, and only a text too long to keep is ever cut.
func (x *xmlReader) appendText(raw []byte) {
	for len(raw) > 0 {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			x.text = append(x.text, raw...)
			break
		}
		x.text = append(x.text, raw[:amp]...)
		raw = raw[amp:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			x.text = append(x.text, '&')
			raw = raw[1:]
			continue
		}
		x.text = appendEntity(x.text, raw[1:semi], raw[:semi+1])
		raw = raw[semi+1:]
	}
	if len(x.text) >= maxRecord {
		x.long, x.text = true, x.text[:0]
	}
}

func appendEntity(dst, name, raw []byte) []byte {
	switch string(name) {
	case "amp":
		return append(dst, '&')
	case "lt":
		return append(dst, '<')
	case "gt":
		return append(dst, '>')
	case "quot":
		return append(dst, '"')
	case "apos":
		return append(dst, '\'')
	}
	if len(name) > 1 && name[0] == '#' {
		base, digits := 10, name[1:]
		if digits[0] == 'x' || digits[0] == 'X' {
			base, digits = 16, digits[1:]
		}
		if n, err := strconv.ParseUint(string(digits), base, 32); err == nil && utf8.ValidRune(rune(n)) {
			return utf8.AppendRune(dst, rune(n))
		}
	}
	return append(dst, raw...)
}

// readBang reads a comment, a CDATA section (its text kept as text) or a
// declaration, after "<!".
func (x *xmlReader) readBang() (cdata bool, err error) {
	head, err := x.r.Peek(7)
	switch {
	case bytes.HasPrefix(head, []byte("--")):
		return false, x.skipPast("-->")
	case bytes.Equal(head, []byte("[CDATA[")):
		if _, err := x.r.Discard(7); err != nil {
			return false, err
		}
		x.tag = x.tag[:0]
		for !bytes.HasSuffix(x.tag, []byte("]]>")) {
			b, err := x.r.ReadByte()
			if err != nil {
				return false, errMarkup
			}
			x.tag = append(x.tag, b)
		}
		if x.keep && !x.long {
			x.text = append(x.text, x.tag[:len(x.tag)-3]...)
			if len(x.text) >= maxRecord {
				x.long, x.text = true, x.text[:0]
			}
		}
		return true, nil
	case err != nil:
		return false, errMarkup
	}
	return false, x.skipPast(">")
}

// skipPast reads up to and including end.
func (x *xmlReader) skipPast(end string) error {
	matched := 0
	for matched < len(end) {
		b, err := x.r.ReadByte()
		if err != nil {
			return errMarkup
		}
		switch {
		case b == end[matched]:
			matched++
		case b == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
	return nil
}

// attr is the value of the tag's unprefixed attribute name, entities
// left as written (the attributes read are references and types).
func (x *xmlReader) attr(name string) []byte {
	a := x.attrs
	for {
		a = bytes.TrimLeft(a, " \t\r\n")
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil
		}
		key := bytes.TrimSpace(a[:eq])
		a = bytes.TrimLeft(a[eq+1:], " \t\r\n")
		if len(a) == 0 || a[0] != '"' && a[0] != '\'' {
			return nil
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return nil
		}
		if string(key) == name {
			return a[1 : 1+end]
		}
		a = a[end+2:]
	}
}

// local drops a namespace prefix: some writers name a row x:row.
func local(name []byte) []byte {
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}
