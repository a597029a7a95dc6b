import DSimCore
import MapReduce
import XCTest

/// Partitioning, the applications' pure parts, the sequential reference and the input data.
final class MapReduceAppTests: XCTestCase {
    func testIhashIsFNV1a32Masked() {
        XCTAssertEqual(ihash(""), 2_166_136_261 & 0x7fff_ffff)
        XCTAssertEqual(ihash("a"), 0xe40c_292c & 0x7fff_ffff)
        XCTAssertEqual(ihash("foobar"), 0xbf9c_f968 & 0x7fff_ffff)
    }

    func testWordCountAndIndexerFollowTheGoApps() {
        let wc = Sequential.run(Apps.wc, inputs: [("f1", "a b, a!\nB"), ("f2", "b 12 a")])
        XCTAssertEqual(wc, ["B 1", "a 3", "b 2"])
        let ix = Sequential.run(Apps.indexer, inputs: [("f2", "x y x"), ("f1", "y")])
        XCTAssertEqual(ix, ["x 1 f2", "y 2 f1,f2"])
    }

    func testCreditCountsPeoplePerAgencyWith2023ScoreAbove400() {
        let csv = """
            user_id,agency,year,credit_score
            1,Equifax,2023,660
            2,TransUnion,2021,380
            3,Yellow Banana,2023,401
            4,Yellow Banana,2023,400
            5,Equifax,2022,700
            6,Equifax,2023,450
            """
        let out = Sequential.run(Apps.credit, inputs: [("c.csv", csv)])
        XCTAssertEqual(out, ["Equifax: 2", "Yellow Banana: 1"])
    }

    /// The generated credit data's expected totals (pinned: the data never changes).
    func testCreditTotalsOfTheGeneratedData() {
        let out = Sequential.run(Apps.credit, inputs: InputData.creditFiles)
        XCTAssertEqual(out, ["Equifax: 26", "Experian: 23", "TransUnion: 23", "Yellow Banana: 34"])
    }

    func testInputDataIsFixed() {
        XCTAssertEqual(InputData.books.count, 8)
        XCTAssertEqual(InputData.books.map(\.name).filter { $0.contains("sherlock") }.count, 1)
        XCTAssertEqual(InputData.books.map(\.name).filter { $0.contains("tom") }.count, 1)
        let sizes = InputData.books.map { $0.contents.utf8.count }
        XCTAssertEqual(sizes, [2593, 2940, 1926, 3050, 2961, 2737, 2010, 1990])
        XCTAssertEqual(Sequential.run(Apps.wc, inputs: InputData.books).count, 201)
    }

    func testEveryNamedAppLoads() {
        for name in MapReduceApp.names { XCTAssertEqual(MapReduceApp.named(name)?.name, name) }
        XCTAssertNil(MapReduceApp.named("nope"))
    }
}
