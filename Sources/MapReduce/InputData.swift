// The job's input: eight text files named after the lab's `pg-*.txt` books (so early_exit's
// "sherlock" and "tom" keys exist) and four credit-score CSV files. The text is generated from
// a fixed word list by our own SplitMix64 with fixed seeds — not from a run's choices — so the
// data, and the expected output, are the same for every seed.
import DSimCore

/// Deterministic input files.
public enum InputData {
    /// One input file.
    public typealias File = (name: String, contents: String)

    static let bookNames = [
        "pg-being_ernest.txt", "pg-dorian_gray.txt", "pg-frankenstein.txt", "pg-grimm.txt",
        "pg-huckleberry_finn.txt", "pg-metamorphosis.txt", "pg-sherlock_holmes.txt",
        "pg-tom_sawyer.txt",
    ]

    static let vocabulary =
        [
            "the", "and", "of", "to", "a", "in", "that", "he", "was", "it", "his", "I", "you",
            "with",
            "for", "had", "as", "her", "she", "not", "at", "but", "be", "on", "my", "him", "is",
            "said", "all", "which", "The", "He", "It", "Tom", "Huck", "Holmes", "Watson", "Gregor",
            "Dorian", "monster", "raft", "river", "door", "night", "little", "old", "man", "house",
            "upon", "would", "could", "been", "there", "were", "Project", "Gutenberg", "EBook",
            "don", "t", "s", "A", "ABOUT", "ACT", "wolf", "queen", "king", "Ernest", "Gwendolen",
        ] + inventedWords

    /// 160 made-up words of 2–3 syllables (a fixed seed), some capitalized, for a long tail.
    static let inventedWords: [String] = {
        let syllables = ["ka", "lo", "mi", "ra", "te", "un", "vo", "shi", "pe", "dra", "el", "or"]
        var rng = SplitMix64(seed: 0x6_5840)
        return (0..<160).map { i in
            let n = 2 + Int(rng.next() % 2)
            let w = (0..<n).map { _ in syllables[Int(rng.next() % UInt64(syllables.count))] }
                .joined()
            return i % 7 == 0 ? w.prefix(1).uppercased() + w.dropFirst() : w
        }
    }()
    static let separators = [" ", " ", " ", " ", ", ", ". ", "; ", " -- ", "'", "! ", "? ", " 1 "]

    /// The eight books, each 300–499 words.
    public static let books: [File] = bookNames.enumerated().map { i, name in
        (name, book(seed: 0x5840_0000 + UInt64(i)))
    }

    static func book(seed: UInt64) -> String {
        var rng = SplitMix64(seed: seed)
        let count = 300 + Int(rng.next() % 200)
        var text = ""
        for w in 0..<count {
            // min of two draws: frequent words are frequent.
            let a = Int(rng.next() % UInt64(vocabulary.count))
            let b = Int(rng.next() % UInt64(vocabulary.count))
            text += vocabulary[min(a, b)]
            text += w % 12 == 11 ? "\n" : separators[Int(rng.next() % UInt64(separators.count))]
        }
        return text + "\n"
    }

    static let agencies = ["Equifax", "Experian", "TransUnion", "Yellow Banana"]

    /// Four CSV files `credit-<i>.csv` of 150 rows each, `user_id,agency,year,credit_score`
    /// after a header line; user ids are unique.
    public static let creditFiles: [File] = (0..<4).map { i in
        var rng = SplitMix64(seed: 0x350_0000 + UInt64(i))
        var text = "user_id,agency,year,credit_score\n"
        for row in 0..<150 {
            let id = i * 1000 + row
            let agency = agencies[Int(rng.next() % 4)]
            let year = 2019 + Int(rng.next() % 5)
            let score = 300 + Int(rng.next() % 551)
            text += "\(id),\(agency),\(year),\(score)\n"
        }
        return ("credit-\(i).csv", text)
    }
}
