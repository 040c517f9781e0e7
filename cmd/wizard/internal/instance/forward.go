package instance

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// A later launch on a held folder asks the holder to bring its window
// forward, so an admin who starts the wizard again sees the one already
// open instead of a refusal. The holder listens on loopback and names the
// address in AddrFile, inside the folder only its user may read, with a
// random token: a stale file's port, now some other program's, is never
// taken for the wizard, and nothing else on the machine can make the
// window jump without reading the folder.

// AddrFile names the holder's loopback address and token while it serves.
const AddrFile = "wizard.addr"

// ErrNoAnswer says the folder's holder did not take the request: it serves
// none (a run without a window), or it ended meanwhile.
var ErrNoAnswer = errors.New("the wizard holding the data folder did not answer")

// forwardWait bounds each side of a request on loopback.
const forwardWait = 2 * time.Second

// raised is the holder's answer to a request it took.
const raised = "raised"

// Serve takes requests from later launches on the folder until the lock
// is released, calling forward for each (on a goroutine of its own). It
// is called at most once per Lock.
func (l *Lock) Serve(forward func()) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return errors.Join(err, ln.Close())
	}
	token := hex.EncodeToString(b)
	if err := writeAtomic(filepath.Join(l.dir, AddrFile), ln.Addr().String()+" "+token+"\n"); err != nil {
		return errors.Join(err, ln.Close())
	}
	l.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // released
			}
			go answer(c, token, forward)
		}
	}()
	return nil
}

// answer takes one request: the token, then forward.
func answer(c net.Conn, token string, forward func()) {
	defer c.Close()
	if c.SetDeadline(time.Now().Add(forwardWait)) != nil {
		return
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != token {
		return
	}
	if _, err := fmt.Fprintln(c, raised); err == nil {
		forward()
	}
}

// Forward asks the process holding dir to bring its window forward and
// returns nil once it said it will, else an error (ErrNoAnswer when
// nothing in dir serves). It only reads the folder.
func Forward(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, AddrFile))
	if errors.Is(err, os.ErrNotExist) {
		return ErrNoAnswer
	}
	if err != nil {
		return err
	}
	addr, token, ok := strings.Cut(strings.TrimSpace(string(b)), " ")
	if host, _, err := net.SplitHostPort(addr); !ok || err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("%w: %s names no loopback address", ErrNoAnswer, AddrFile)
	}
	c, err := net.DialTimeout("tcp", addr, forwardWait)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoAnswer, err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(forwardWait)); err != nil {
		return err
	}
	if _, err := fmt.Fprintln(c, token); err != nil {
		return fmt.Errorf("%w: %v", ErrNoAnswer, err)
	}
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || strings.TrimSpace(reply) != raised {
		return fmt.Errorf("%w: %q, %v", ErrNoAnswer, reply, err)
	}
	return nil
}

// writeAtomic replaces path with text, so a reader never sees half of it.
func writeAtomic(path, text string) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
