// Package classify sorts a user's free-text description of a consumer
// problem ("pdd买的空气炸锅用了三天就坏了", "the gym closed and kept my
// money") into one of a fixed set of dispute categories, so that the bot can
// open the matching dialog tree.
//
// It is pure and offline: Load trains a multinomial logistic-regression
// model from the labelled examples embedded in dialogs/classify at start-up
// (tens of milliseconds), and Classify only does arithmetic. No model files,
// no network, no segmentation dictionary.
//
// Why these features: users write Chinese without spaces, English, or both
// in one line, with typos, slang and platform nicknames. Word segmentation
// needs a large dictionary and still fails on slang, so Chinese is read as
// overlapping character 1-, 2- and 3-grams. English words are lowercased,
// lightly stemmed and also split into character 3- and 4-grams, which makes
// a misspelt word ("refnd", "expird") share most of its features with the
// correct one. Normalisation (full-width to half-width, a small traditional
// to simplified table, platform nicknames such as pdd, 拼夕夕, tb, mt to one
// Chinese name) lives here because it is part of what the model sees: it has
// to be identical at training and classification time.
//
// Confidence is the softmax probability of the returned category under an
// L2-regularised model; it is not inflated. When no dispute category reaches
// the threshold the answer is Unknown.
package classify
