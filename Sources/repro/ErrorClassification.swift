import Dataset
import NN
import Parity
import Pipeline
import Report
import Tensor
import Training

// Which errors of the modules below Pipeline are the user's input to fix (exit 2) and
// which are failures (exit 1). Each type decides in its own module (`isBadInput` next to
// its cases); these lines only make the decision visible to `Main`.
extension DatasetError: ClassifiedError {}
extension TrainingError: ClassifiedError {}
extension NNError: ClassifiedError {}
extension ParityError: ClassifiedError {}
extension ArenaError: ClassifiedError {}
extension PaperFileError: ClassifiedError {}
