// The bank (BU CS350 HW2) as the command line sees it: the ports of the original tester in its
// order, the fuzz campaign, and the bugs that can be planted.
import DSimCore

/// The `bank` system: concurrent create/deposit/withdraw/transfer with per-account locks.
public enum BankSystem {
    /// Its catalog entry.
    public static let entry = SystemEntry(
        name: "bank",
        summary: "BU CS350 HW2: concurrent bank with per-account locks and DepositAndCompare",
        scenarios: [
            port(
                "TestCreateAccountBasic", "1 account created concurrently",
                BankPorts.createAccountBasic),
            port(
                "TestCreateAccountMany", "100 accounts created concurrently",
                BankPorts.createAccountMany),
            port(
                "TestManyDepositsAndWithdraws", "100 accounts x 10,000 random rounds within 10 s",
                BankPorts.manyDepositsAndWithdraws),
            port(
                "TestFewTransfers", "40 x (0->1 of 2, 1->0 of 1): 60/140 within 2 s",
                BankPorts.fewTransfers),
            port(
                "TestManyTransfers", "8 accounts, 400 rounds x all ordered pairs within 4 s",
                BankPorts.manyTransfers),
            port(
                "TestDepositAndCompare", "exact false/true counts of concurrent DepositAndCompare",
                BankPorts.depositAndCompare),
            port(
                "TestHiddenBonus",
                "8000 mixed rounds with concurrent creates; duplicate create fails",
                BankPorts.hiddenBonus),
            Scenario(
                system: "bank", name: "fuzz",
                summary: "random accounts, clients and operation mix, incl. both-way transfers",
                run: BankFuzz.run),
        ],
        plantedBugs: [
            PlantedBug(
                "transfer-caller-order", "Transfer locks sender then receiver: AB/BA deadlock"),
            PlantedBug(
                "balance-outside-lock",
                "Deposit/Withdraw read the balance before taking the lock: lost updates"),
            PlantedBug(
                "withdraw-no-unlock", "Withdraw keeps the account locked on insufficient funds"),
            PlantedBug(
                "deposit-compare-not-atomic",
                "DepositAndCompare releases the lock between deposit and compare"),
            PlantedBug(
                "deposit-compare-self-lock",
                "DepositAndCompare holds the account lock and calls Deposit: self-deadlock"),
        ],
        fuzzScenario: "fuzz", stepCost: 10, pctSteps: 400)

    static func port(_ name: String, _ summary: String, _ run: @escaping (RunContext) -> Verdict)
        -> Scenario
    {
        Scenario(system: "bank", name: name, portOf: name, summary: summary, run: run)
    }
}
