package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httputil"
	"strconv"
	"time"
)

// The fake API's own HTTP/1.1 server, for the one client it has: the
// bot's net/http Transport, over loopback, with keep-alive. net/http's
// server parses every header into a map, starts a goroutine per request
// to watch the connection and formats headers it does not need; under
// load that was most of the tool's CPU after the system calls. Here a
// connection is one goroutine reading requests in turn (the client does
// not pipeline) and writing each response in one system call.

// bufSize is a connection's read buffer, and so the longest request line
// or header line read.
const bufSize = 16 << 10

// maxBody bounds a request body: Bot API calls the bot makes are a few kB.
const maxBody = 1 << 20

var errRequest = errors.New("malformed HTTP request")

func (f *fakeAPI) accept() {
	for {
		c, err := f.ln.Accept()
		if err != nil {
			select {
			case <-f.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			return
		}
		f.conns.Store(c, struct{}{})
		go f.serveConn(c)
	}
}

// request is what serveConn reads of one request.
type request struct {
	method, target, contentType string
	length                      int64 // -1: none given
	chunked, close, expect      bool
}

func (f *fakeAPI) serveConn(c net.Conn) {
	defer func() {
		f.conns.Delete(c)
		c.Close()
	}()
	br := bufio.NewReaderSize(c, bufSize)
	var body, resp, out []byte
	for {
		req, err := readHead(br)
		if err != nil {
			if errors.Is(err, errRequest) {
				f.misread(fmt.Sprintf("%s %s: %v", req.method, req.target, err))
				c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
			}
			return
		}
		if req.expect {
			c.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
		}
		// A body cut short is the client going away (the bot stopping
		// mid-call), not a request the fake API misread.
		if body, err = readBody(br, body[:0], req); err != nil {
			return
		}
		var status int
		if req.method == "GET" || req.method == "POST" {
			status, resp = f.answer(req.target, req.contentType, body, resp[:0])
		} else {
			status, resp = 405, append(resp[:0], `{"ok":false,"error_code":405,"description":"Method Not Allowed"}`...)
		}
		out = append(out[:0], "HTTP/1.1 "...)
		out = strconv.AppendInt(out, int64(status), 10)
		switch status {
		case 200:
			out = append(out, " OK"...)
		case 400:
			out = append(out, " Bad Request"...)
		case 404:
			out = append(out, " Not Found"...)
		default:
			out = append(out, " Error"...)
		}
		out = append(out, "\r\nContent-Type: application/json\r\nContent-Length: "...)
		out = strconv.AppendInt(out, int64(len(resp)), 10)
		if req.close {
			out = append(out, "\r\nConnection: close"...)
		}
		out = append(out, "\r\n\r\n"...)
		out = append(out, resp...)
		if _, err := c.Write(out); err != nil || req.close {
			return
		}
		// A long poll's response can be large; do not keep it for every
		// small call after.
		if cap(out) > 64<<10 {
			out, resp = nil, nil
		}
	}
}

// readHead reads a request line and headers.
func readHead(br *bufio.Reader) (request, error) {
	req := request{length: -1}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return req, readErr(err, len(line) > 0)
	}
	line = bytes.TrimRight(line, "\r\n")
	method, rest, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 || !bytes.HasPrefix(proto, []byte("HTTP/1.")) {
		return req, fmt.Errorf("%w: request line %.80q", errRequest, line)
	}
	req.method, req.target = string(method), string(target)
	req.close = string(proto) == "HTTP/1.0"
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return req, readErr(err, true)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return req, nil
		}
		k, v, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return req, errRequest
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("Content-Length")):
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil || n < 0 || n > maxBody {
				return req, errRequest
			}
			req.length = n
		case bytes.EqualFold(k, []byte("Content-Type")):
			req.contentType = string(v)
		case bytes.EqualFold(k, []byte("Transfer-Encoding")):
			req.chunked = bytes.EqualFold(v, []byte("chunked"))
		case bytes.EqualFold(k, []byte("Connection")):
			req.close = bytes.EqualFold(v, []byte("close"))
		case bytes.EqualFold(k, []byte("Expect")):
			req.expect = bytes.EqualFold(v, []byte("100-continue"))
		}
	}
}

// readErr tells a connection that ends (the client going away, or close)
// from a malformed request: only the latter is the run's error.
func readErr(err error, partial bool) error {
	switch {
	case err == bufio.ErrBufferFull:
		return fmt.Errorf("%w: a line over %d bytes", errRequest, bufSize)
	case err == io.EOF && partial:
		return io.ErrUnexpectedEOF
	}
	return err
}

// readBody reads the request's body into buf: by its length, or chunked
// (go-telegram/bot streams bodies; the bot sends them whole today).
func readBody(br *bufio.Reader, buf []byte, req request) ([]byte, error) {
	switch {
	case req.chunked:
		b := bytes.NewBuffer(buf)
		if _, err := b.ReadFrom(io.LimitReader(httputil.NewChunkedReader(br), maxBody)); err != nil {
			return nil, err
		}
		// The chunked reader stops at the last chunk: the trailer, if
		// any, and the empty line ending the body are still to be read.
		for {
			line, err := br.ReadSlice('\n')
			if err != nil {
				return nil, readErr(err, true)
			}
			if len(bytes.TrimRight(line, "\r\n")) == 0 {
				return b.Bytes(), nil
			}
		}
	case req.length > 0:
		n := int(req.length)
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		_, err := io.ReadFull(br, buf)
		return buf, err
	default:
		return buf[:0], nil
	}
}
