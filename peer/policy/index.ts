/**
 * The door of `peer/policy`: pure decisions, apart from the protocols that carry them.
 * - bidding (worker): whether to bid on an announced job, at what price and ETA;
 * - award (client): which bids are eligible and which wins.
 */
export { acceptsDirectAward, clientFundsCover, decideBid, priorityName, workerPrice, type BidDecision, type BidRefusal, type JobOffer, type WorkerProfile } from './bidding.js'
export { AWARD_WEIGHTS_PPM, pickAward, rankBids, type BidRanking, type BidRejection, type CandidateBid, type ScoredBid } from './award.js'
