package wechat

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// ReadBody appends a whole HTTP body of at most limit bytes to dst[:0],
// reusing dst when it is large enough; more than limit is an error. With the
// Content-Length known (size ≥ 0) it allocates at most once and reads in as
// few calls as the socket allows, where io.ReadAll starts at 512 bytes and
// doubles: a batchget answer is about 30 KB, and a large sync reads ten
// thousand of them on each hop.
func ReadBody(dst []byte, r io.Reader, size, limit int64) ([]byte, error) {
	if size > limit {
		return nil, fmt.Errorf("body of %d bytes is larger than %d", size, limit)
	}
	if size >= 0 {
		if int64(cap(dst)) < size {
			dst = make([]byte, size)
		}
		dst = dst[:size]
		if _, err := io.ReadFull(r, dst); err != nil {
			return nil, err
		}
		return dst, nil
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("body larger than %d bytes", limit)
	}
	return data, nil
}

// copyBufs are ReadText's transfer buffers, kept between answers.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// ReadText is ReadBody into a string: one allocation of the body's size.
func ReadText(r io.Reader, size, limit int64) (string, error) {
	if size < 0 || size > limit {
		b, err := ReadBody(nil, r, size, limit)
		return string(b), err
	}
	var sb strings.Builder
	sb.Grow(int(size))
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	n, err := io.CopyBuffer(&sb, io.LimitReader(r, size), *buf)
	if err == nil && n < size {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return "", err
	}
	return sb.String(), nil
}
