-- One row per insurance policy a live claim bills (Cms1500Policy): the nested `cms1500_policies` of
-- stg_healthie__claims unnested, in the claim's order (`policy_number`, from 1).
with

source as (
    select
        claim_id,
        unnest(cms1500_policies) as claim_policy,
        generate_subscripts(cms1500_policies, 1) as policy_number
    from {{ ref('stg_healthie__claims') }}
),

renamed as (
    select
        -- ids
        claim_policy.id as claim_policy_id,
        claim_id,
        claim_policy.policy_id as policy_id,

        -- numerics
        policy_number

    from source
)

select * from renamed
