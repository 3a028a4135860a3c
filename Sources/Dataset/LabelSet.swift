/// CIFAR-100's two label sets: 100 fine classes, or the 20 superclasses they group into.
/// The paper's accuracies are well above published ResNet56 fine-label results; training
/// on the coarse set tests whether its numbers are superclass numbers.
public enum LabelSet: String, Codable, CaseIterable, Sendable {
    case fine, coarse
}

extension CIFARDataset {
    /// The dataset as trained on `labels`: the engine always reads the fine labels and
    /// names, so the coarse view puts the superclasses there.
    public func relabeled(_ labels: LabelSet) -> CIFARDataset {
        guard labels == .coarse else { return self }
        func coarse(_ split: CIFARSplit) -> CIFARSplit {
            CIFARSplit(images: split.images, fineLabels: split.coarseLabels, coarseLabels: split.coarseLabels)
        }
        return CIFARDataset(
            train: coarse(train), test: coarse(test), fineLabelNames: coarseLabelNames,
            coarseLabelNames: coarseLabelNames)
    }
}
