import Capture
import VP8

// Capture's I420 images and the codec's pictures are both three planes; the two modules do not depend
// on each other, so the CLI moves planes between them without converting.
extension VP8Picture {
    init(_ image: I420Image) {
        self.init(width: image.width, height: image.height, y: image.y, u: image.u, v: image.v)
    }
}

extension I420Image {
    init(_ picture: VP8Picture) {
        self.init(width: picture.width, height: picture.height, y: picture.y, u: picture.u, v: picture.v)
    }
}
