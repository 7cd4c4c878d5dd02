import Foundation

/// Peak signal-to-noise ratio in dB of 8-bit samples `b` against the reference `a` (equal length);
/// infinity when they are equal. `include` picks which sample indices count (e.g. skip BGRA's alpha).
public func psnr(_ a: [UInt8], _ b: [UInt8], include: (Int) -> Bool = { _ in true }) -> Double {
    precondition(a.count == b.count, "PSNR compares samples of equal count")
    var squares = 0.0, count = 0
    for index in a.indices where include(index) {
        let difference = Double(a[index]) - Double(b[index])
        squares += difference * difference
        count += 1
    }
    guard squares > 0 else { return .infinity }
    return 10 * log10(255 * 255 / (squares / Double(count)))
}
