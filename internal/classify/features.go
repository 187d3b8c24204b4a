package classify

import (
	"sort"
	"unicode"
)

// Feature kinds, mixed into the hash so that e.g. the Han unigram "退" and
// the English word "退" can never collide by construction.
const (
	kHan1 = iota + 1
	kHan2
	kHan3
	kWord
	kWordBigram
	kChar3
	kChar4
	kSeg
	kSegBigram
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	boundary  = rune(0)
	digitMark = '#'
	moneyMark = '¥'
)

func hashRunes(kind byte, rs ...[]rune) uint64 {
	h := uint64(fnvOffset)
	h ^= uint64(kind)
	h *= fnvPrime
	for i, part := range rs {
		if i > 0 {
			h ^= ' '
			h *= fnvPrime
		}
		for _, r := range part {
			for r != 0 {
				h ^= uint64(r & 0xff)
				h *= fnvPrime
				r >>= 8
			}
		}
	}
	return h
}

// features returns the distinct hashed features of text, sorted.
func features(text string) []uint64 {
	text = hanAliases.Replace(Normalize(text))
	var (
		out   = make([]uint64, 0, 3*len(text)/2+8)
		han   = make([]rune, 0, len(text)/2)
		word  = make([]rune, 0, 16)
		prevW []rune // previous English word, for bigrams
	)
	flushWord := func() {
		if len(word) == 0 {
			return
		}
		w := string(word)
		if zh, ok := aliases[w]; ok {
			han = append(han, []rune(zh)...)
		} else {
			han = append(han, boundary)
		}
		st := []rune(stem(w))
		out = append(out, hashRunes(kWord, st))
		if prevW != nil {
			out = append(out, hashRunes(kWordBigram, prevW, st))
		}
		prevW = st
		if len(word) >= 3 {
			padded := make([]rune, 0, len(word)+2)
			padded = append(padded, '<')
			padded = append(padded, word...)
			padded = append(padded, '>')
			for n := 3; n <= 4; n++ {
				kind := byte(kChar3)
				if n == 4 {
					kind = kChar4
				}
				for i := 0; i+n <= len(padded); i++ {
					out = append(out, hashRunes(kind, padded[i:i+n]))
				}
			}
		}
		word = word[:0]
	}
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r >= 'a' && r <= 'z':
			word = append(word, r)
		case (r == '\'' || r == '’') && len(word) > 0:
			// "won't" and "wont" read the same.
		case unicode.Is(unicode.Han, r):
			flushWord()
			prevW = nil
			han = append(han, r)
		case r >= '0' && r <= '9':
			flushWord()
			for i+1 < len(rs) && (rs[i+1] >= '0' && rs[i+1] <= '9' || rs[i+1] == '.' || rs[i+1] == ',') {
				i++
			}
			if len(han) == 0 || han[len(han)-1] != digitMark {
				han = append(han, digitMark)
			}
		case r == '¥' || r == '$':
			flushWord()
			han = append(han, moneyMark)
		case r == ' ' || r == '\t':
			flushWord()
			if len(han) > 0 && han[len(han)-1] != boundary {
				han = append(han, boundary)
			}
		default:
			flushWord()
			prevW = nil
			han = append(han, boundary)
		}
	}
	flushWord()

	for i, r := range han {
		if r == boundary {
			continue
		}
		if unicode.Is(unicode.Han, r) {
			out = append(out, hashRunes(kHan1, han[i:i+1]))
		}
		if i+2 <= len(han) && han[i+1] != boundary {
			out = append(out, hashRunes(kHan2, han[i:i+2]))
			if i+3 <= len(han) && han[i+2] != boundary {
				out = append(out, hashRunes(kHan3, han[i:i+3]))
			}
		}
	}
	// Words from the segmenter, and pairs of neighbouring words, reach
	// past the three characters the n-grams see ("吃出|头发").
	var segs [][]rune
	for start := 0; start < len(han); {
		end := start
		for end < len(han) && han[end] != boundary {
			end++
		}
		if end > start {
			segs = segment(han[start:end], segs[:0])
			for j, w := range segs {
				if len(w) >= 2 {
					out = append(out, hashRunes(kSeg, w))
				}
				if j > 0 && (len(w) >= 2 || len(segs[j-1]) >= 2) {
					out = append(out, hashRunes(kSegBigram, segs[j-1], w))
				}
			}
		}
		start = end + 1
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	u := out[:0]
	for i, h := range out {
		if i == 0 || h != out[i-1] {
			u = append(u, h)
		}
	}
	return u
}

// stem strips the commonest English inflections. Character n-grams do the
// rest, so it only needs to be cheap and predictable.
func stem(w string) string {
	n := len(w)
	switch {
	case n > 5 && w[n-3:] == "ing":
		return w[:n-3]
	case n > 4 && w[n-3:] == "ied", n > 4 && w[n-3:] == "ies":
		return w[:n-3] + "y"
	case n > 4 && w[n-2:] == "ed":
		return w[:n-2]
	case n > 4 && w[n-2:] == "es" && (w[n-3] == 's' || w[n-3] == 'x' || w[n-3] == 'h'):
		return w[:n-2]
	case n > 3 && w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u':
		return w[:n-1]
	}
	return w
}
