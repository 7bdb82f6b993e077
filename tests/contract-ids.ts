/**
 * The public topic contract (the project's topic specification), copied by hand: every topic's parameter names and
 * step ids. LMS integrations depend on these names; a topic may add, never rename or drop.
 */
export const CONTRACT: Record<string, { params: string[]; steps: string[] }> = {
  'bayes-classification': { params: ['classes', 'priors', 'likelihoods'], steps: ['joint', 'evidence', 'posterior', 'decision'] },
  'vae-sampling': { params: ['mu', 'sigma', 'logvar', 'eps'], steps: ['sigma', 'scaled_noise', 'z'] },
  'kl-gaussian': { params: ['mu', 'sigma', 'logvar'], steps: ['variance', 'log_variance', 'terms', 'kl'] },
  'kl-discrete': { params: ['p', 'q', 'base'], steps: ['log_ratio', 'terms', 'kl'] },
  'diffusion-forward': { params: ['betas', 'x0', 'eps'], steps: ['alphas', 'alpha_bar', 'signal_coef', 'noise_coef', 'x_t'] },
  'diffusion-step': { params: ['beta', 'x_prev', 'eps'], steps: ['signal_coef', 'noise_coef', 'x_t'] },
  'bahdanau-attention': {
    params: ['s', 'H', 'W_s', 'W_h', 'v'],
    steps: ['query_proj', 'key_proj', 'pre_activation', 'activation', 'scores', 'weights', 'context'],
  },
  'self-attention': {
    params: ['X', 'W_Q', 'W_K', 'W_V', 'causal'],
    steps: ['Q', 'K', 'V', 'scores', 'scaled_scores', 'weights', 'attention_output', 'output'],
  },
  'positional-encoding': { params: ['d_model', 'positions', 'base', 'embeddings'], steps: ['denominators', 'angles', 'encoding', 'embedded'] },
  'conv-output': {
    params: ['input', 'channels_in', 'channels_out', 'kernel', 'stride', 'padding', 'pool_kernel', 'pool_stride'],
    steps: ['out_h', 'out_w', 'weights', 'biases', 'total_params', 'pool_h', 'pool_w'],
  },
  'harris-corner': { params: ['Ix', 'Iy', 'k', 'threshold'], steps: ['M', 'det', 'trace', 'response', 'region'] },
  'gan-optimal-discriminator': { params: ['p_data', 'p_g'], steps: ['d_star', 'value', 'jsd'] },
  'clip-infonce': { params: ['image_emb', 'text_emb', 'temperature'], steps: ['image_norm', 'text_norm', 'logits', 'loss_image', 'loss_text', 'loss'] },
  'ddpm-posterior': {
    params: ['betas', 'x0', 'x_t'],
    steps: ['alpha_t', 'alpha_bar_t', 'alpha_bar_prev', 'coef_x0', 'coef_xt', 'mean', 'variance'],
  },
  'next-token-loss': { params: ['logits', 'targets'], steps: ['probs', 'target_probs', 'losses', 'loss', 'perplexity'] },
  'reward-model-loss': { params: ['chosen', 'rejected'], steps: ['margins', 'probs', 'losses', 'loss'] },
  'ppo-clip': { params: ['logp_new', 'logp_old', 'advantages', 'epsilon'], steps: ['ratios', 'unclipped', 'clipped', 'objective', 'loss'] },
};

/** Contract deps per step, where the spec lists them (the graph must declare at least these). */
export const CONTRACT_DEPS: Record<string, Record<string, string[]>> = {
  'bayes-classification': { joint: [], evidence: ['joint'], posterior: ['joint', 'evidence'], decision: ['posterior'] },
  'vae-sampling': { sigma: [], scaled_noise: ['sigma'], z: ['scaled_noise'] },
  'kl-gaussian': { variance: [], log_variance: ['variance'], terms: ['variance', 'log_variance'], kl: ['terms'] },
  'kl-discrete': { log_ratio: [], terms: ['log_ratio'], kl: ['terms'] },
  'diffusion-forward': { alphas: [], alpha_bar: ['alphas'], signal_coef: ['alpha_bar'], noise_coef: ['alpha_bar'], x_t: ['signal_coef', 'noise_coef'] },
  'diffusion-step': { signal_coef: [], noise_coef: [], x_t: ['signal_coef', 'noise_coef'] },
  'bahdanau-attention': {
    query_proj: [],
    key_proj: [],
    pre_activation: ['query_proj', 'key_proj'],
    activation: ['pre_activation'],
    scores: ['activation'],
    weights: ['scores'],
    context: ['weights'],
  },
  'self-attention': {
    Q: [],
    K: [],
    V: [],
    scores: ['Q', 'K'],
    scaled_scores: ['scores'],
    weights: ['scaled_scores'],
    attention_output: ['weights', 'V'],
    output: ['attention_output'],
  },
  'positional-encoding': { denominators: [], angles: ['denominators'], encoding: ['angles'], embedded: ['encoding'] },
  'conv-output': { out_h: [], out_w: [], weights: [], biases: [], total_params: ['weights', 'biases'], pool_h: ['out_h'], pool_w: ['out_w'] },
  'harris-corner': { M: [], det: ['M'], trace: ['M'], response: ['det', 'trace'], region: ['response'] },
  'gan-optimal-discriminator': { d_star: [], value: ['d_star'], jsd: ['value'] },
  'clip-infonce': {
    image_norm: [],
    text_norm: [],
    logits: ['image_norm', 'text_norm'],
    loss_image: ['logits'],
    loss_text: ['logits'],
    loss: ['loss_image', 'loss_text'],
  },
  'ddpm-posterior': {
    alpha_t: [],
    alpha_bar_t: [],
    alpha_bar_prev: [],
    coef_x0: ['alpha_bar_prev', 'alpha_bar_t'],
    coef_xt: ['alpha_t', 'alpha_bar_prev', 'alpha_bar_t'],
    mean: ['coef_x0', 'coef_xt'],
    variance: ['alpha_bar_prev', 'alpha_bar_t'],
  },
  'next-token-loss': { probs: [], target_probs: ['probs'], losses: ['target_probs'], loss: ['losses'], perplexity: ['loss'] },
  'reward-model-loss': { margins: [], probs: ['margins'], losses: ['probs'], loss: ['losses'] },
  'ppo-clip': { ratios: [], unclipped: ['ratios'], clipped: ['ratios'], objective: ['unclipped', 'clipped'], loss: ['objective'] },
};
