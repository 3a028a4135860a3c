import Dataset
import NN
import Parity
import Pipeline
import Tensor
import Training

// Which errors of the modules below Pipeline are the user's input to fix (exit 2) and
// which are failures (exit 1). Each type decides in its own module (`isBadInput` next to
// its cases); these lines only make the decision visible to `Main`.
extension DatasetError: @retroactive ClassifiedError {}
extension TrainingError: @retroactive ClassifiedError {}
extension NNError: @retroactive ClassifiedError {}
extension ParityError: @retroactive ClassifiedError {}
extension ArenaError: @retroactive ClassifiedError {}
