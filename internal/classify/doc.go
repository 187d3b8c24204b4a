// Package classify sorts a user's free-text description of a consumer
// problem ("pdd买的空气炸锅用了三天就坏了", "the gym closed and kept my
// money") into one of a fixed set of dispute categories, so that the bot can
// open the matching dialog tree.
//
// It is pure and offline: a multinomial logistic-regression model is
// trained from the labelled examples embedded from dialogs/classify, and
// Classify only does arithmetic. Its weights are the average of several
// training runs over differently shuffled data (and of each run's last
// epochs), so the answers do not hinge on one shuffle seed. Training and calibration take longer than
// start-up may, so `go generate ./internal/classify` stores the trained
// model in model.bin (about 0.7 MB) and Load decodes it in milliseconds. A
// test fails when model.bin is not the model of today's training data; if
// someone ships edited data without regenerating, Load notices (a hash of
// the training files) and trains at start-up instead.
//
// Why these features: users write Chinese without spaces, English, or both
// in one line, with typos, slang and platform nicknames. Chinese is read as
// overlapping character 1-, 2- and 3-grams, plus the words (and pairs of
// neighbouring words) of a forward maximum-matching segmenter over a small
// built-in lexicon of complaint vocabulary (lexicon.go): the n-grams carry
// slang and unknown words, the words reach a little further. English words
// are lowercased, lightly stemmed and also split into character 3- and
// 4-grams, which makes a misspelt word ("refnd", "expird") share most of
// its features with the correct one. Normalisation (full-width to
// half-width, a small traditional to simplified table, platform nicknames
// such as pdd, 拼夕夕, tb, mt to one Chinese name) lives here because it is
// part of what the model sees: it has to be identical at training and
// classification time.
//
// Confidence: scores are divided by a temperature fitted on 5-fold
// cross-validation of the training data (Calibrate), so probabilities mean
// what they say and a caller can offer the top two or three categories
// when none stands out. When no dispute category reaches the threshold the
// answer is Unknown. Text with too little signal (a yes/no word, a number,
// an emoji, a greeting, "help"; see minSignal) is never classified:
// Unknown with TooShort set.
package classify
